/**
 * Node.js process metrics (CPU seconds, memory bytes, event-loop lag, GC,
 * handles) from prom-client, under the cix_ prefix.
 *
 * prom-client also exports three gauges whose names end in _total
 * (nodejs_active_{handles,requests,resources}_total); a _total suffix
 * promises a counter to Prometheus tooling (rate() would be wrong on them),
 * so they are left out. sum(cix_nodejs_active_handles) gives the same figure
 * from the per-type gauge that stays.
 */
import { Counter, collectDefaultMetrics, type Registry } from 'prom-client';

export function registerProcessMetrics(registry: Registry): void {
  const before = new Set(registry.getMetricsAsArray().map((m) => m.name));
  collectDefaultMetrics({ register: registry, prefix: 'cix_' });
  for (const { name } of registry.getMetricsAsArray()) {
    if (before.has(name) || !name.endsWith('_total')) continue;
    if (!(registry.getSingleMetric(name) instanceof Counter)) registry.removeSingleMetric(name);
  }
}
