/** Where the metrics HTTP server listens: its own address, apart from the management channel. */
import { MetricsError } from './errors';

export interface ListenAddress {
  host: string;
  /** 0 lets the kernel choose (tests); the server reports the real port. */
  port: number;
}

/**
 * Loopback only by default: metrics name every customer's attachment, so
 * exposing them beyond the box is an explicit decision. 9477 is not taken by
 * any well-known exporter in Prometheus' default port allocations list.
 */
export const DEFAULT_METRICS_LISTEN: Readonly<ListenAddress> = Object.freeze({ host: '127.0.0.1', port: 9477 });

/** "127.0.0.1:9477", "[::1]:9477" or ":9477" (all addresses) into a ListenAddress. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]\s]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new MetricsError('METRICS_ADDRESS', `metrics listen address "${text}": expected HOST:PORT (port 0-65535)`);
  }
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
