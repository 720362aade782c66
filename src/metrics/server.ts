/**
 * The /metrics HTTP endpoint on its own listen address (default
 * 127.0.0.1:9477). GET /metrics only: any other path is 404, any other method
 * on /metrics is 405. A scrape that fails (the view threw) is a 500 with a
 * fixed text; the reason goes to onError, never to the scraper.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Registry } from 'prom-client';

import type { ApplianceView } from '../supervisor/api';
import type { BuildInfo } from './build-info';
import { MetricsError } from './errors';
import type { ListenAddress } from './listen';
import { createMetricsRegistry } from './registry';

export interface MetricsServerOptions {
  listen: ListenAddress;
  view: ApplianceView;
  /** Registers more metrics into the exporter's registry. Names must start with cix_. */
  extra?: (registry: Registry) => void;
  /** Overrides cix_build_info's labels (tests). */
  build?: BuildInfo;
  /** Told when a scrape fails (default: nothing); the scraper only sees "500 scrape failed". */
  onError?: (err: unknown) => void;
}

export interface MetricsServer {
  /** Where it really listens (the kernel's port when listen.port was 0). */
  readonly address: ListenAddress;
  /** http://host:port/metrics */
  readonly url: string;
  readonly registry: Registry;
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

function reply(res: http.ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(body);
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const metrics = createMetricsRegistry({ view: opts.view, extra: opts.extra, build: opts.build });

  const server = http.createServer((req, res) => {
    // Only the path counts: Prometheus may add query parameters.
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') return reply(res, 404, 'not found: cix serves GET /metrics\n');
    if (req.method !== 'GET') return reply(res, 405, 'method not allowed: use GET\n', { Allow: 'GET' });
    metrics.scrape().then(
      (text) => reply(res, 200, text, { 'Content-Type': metrics.contentType }),
      (err: unknown) => {
        opts.onError?.(err);
        reply(res, 500, 'scrape failed\n');
      },
    );
  });
  // A scraper that opens a connection and never sends a request must not hold it forever.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      reject(
        new MetricsError('METRICS_LISTEN', `metrics: cannot listen on ${opts.listen.host}:${opts.listen.port}: ${err.code ?? err.message}`, {
          cause: err,
        }),
      );
    };
    server.once('error', onError);
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.off('error', onError);
      resolve();
    });
  });

  const bound = server.address() as AddressInfo;
  const address: ListenAddress = { host: opts.listen.host, port: bound.port };
  let closing: Promise<void> | undefined;
  return {
    address,
    url: `http://${urlHost(address.host)}:${address.port}/metrics`,
    registry: metrics.registry,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
