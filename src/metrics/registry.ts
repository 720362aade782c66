/**
 * The exporter's own prom-client Registry (never the global one, so two
 * exporters in one process, e.g. in tests, never share series): the
 * appliance's metrics, Node.js process metrics under the same cix_ prefix,
 * and whatever a caller adds through `extra`.
 */
import { Registry } from 'prom-client';

import type { ApplianceView } from '../supervisor/api';
import { registerApplianceMetrics } from './appliance-metrics';
import { readBuildInfo, type BuildInfo } from './build-info';
import { registerProcessMetrics } from './process-metrics';
import { ScrapeState } from './scrape-state';

export interface MetricsRegistryOptions {
  view: ApplianceView;
  /** Registers more metrics into the same registry (e.g. the management server's). Names must start with cix_. */
  extra?: (registry: Registry) => void;
  /** Overrides what cix_build_info reports (tests); read from the system otherwise. */
  build?: BuildInfo;
}

export interface MetricsRegistry {
  readonly registry: Registry;
  readonly contentType: string;
  /** One exposition in the Prometheus text format (0.0.4); reads the view exactly once. */
  scrape(): Promise<string>;
}

export function createMetricsRegistry(opts: MetricsRegistryOptions): MetricsRegistry {
  const registry = new Registry();
  const state = new ScrapeState(opts.view);
  registerApplianceMetrics(registry, state, opts.build ?? readBuildInfo());
  registerProcessMetrics(registry);
  opts.extra?.(registry);
  return {
    registry,
    contentType: registry.contentType,
    async scrape() {
      state.begin();
      try {
        return await registry.metrics();
      } finally {
        state.end();
      }
    },
  };
}
