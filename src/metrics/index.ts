/** The Prometheus exporter: what the rest of cix uses from src/metrics. */
export { readBuildInfo, type BuildInfo } from './build-info';
export { counterValue } from './counter-value';
export { MetricsError, type MetricsErrorCode } from './errors';
export { DEFAULT_METRICS_LISTEN, parseListenAddress, type ListenAddress } from './listen';
export { createMetricsRegistry, type MetricsRegistry, type MetricsRegistryOptions } from './registry';
export { startMetricsServer, type MetricsServer, type MetricsServerOptions } from './server';
