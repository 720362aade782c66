/**
 * The management server: WebSocket (ws, or wss with TLS) over an HTTP
 * server of its own. Authentication happens at the HTTP upgrade (auth.ts),
 * so a refused client never gets a WebSocket; each accepted one becomes a
 * Connection. Binds to loopback unless told otherwise, and refuses a
 * non-loopback address without TLS (a bearer token would cross the network
 * in clear) unless `allowInsecureRemote` says so.
 */
import { readFileSync } from 'fs';
import * as http from 'http';
import * as https from 'https';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { WebSocketServer, type WebSocket } from 'ws';

import { findProjectRoot } from '../config/proto';
import type { ApplianceView } from '../supervisor/api';
import { authenticateUpgrade, remoteOf, type Identity } from './auth';
import { CounterBaseline } from './baseline';
import { CertificateRoles } from './cert-roles';
import { CLOSE, Connection } from './connection';
import type { ServerServices } from './context';
import { MgmtSetupError } from './errors';
import type { SystemStatus } from './generated';
import { stderrLog, type MgmtLog } from './log';
import { DEFAULT_HOST, DEFAULT_PORT, SUBPROTOCOL } from './protocol';
import { isLoopback, readTls, resolveLimits, type LimitOptions, type TlsFiles } from './server-options';
import { SubscriptionHub, type HubStats } from './subscriptions';
import type { TokenStore } from './tokens';
import type { Revisions, Transactions } from './txn-types';
import { revisionToWire } from './wire-config';
import { applianceEventToWire, countersSample } from './wire-state';

export interface ManagementServerOptions {
  /** The TransactionManager (src/txn). */
  txn: Transactions;
  /** The ConfigStore the TransactionManager works on (running config and history). */
  store: Revisions;
  view: ApplianceView;
  tokens: TokenStore;
  /** Holds clients.json and counters-baseline.json (the TokenStore keeps its files there too). */
  stateDir: string;
  /** Default 127.0.0.1:8442; port 0 picks a free one (see ManagementServer.port). */
  listen?: { host?: string; port?: number };
  tls?: TlsFiles;
  /** Allow a non-loopback address without TLS. */
  allowInsecureRemote?: boolean;
  /** Browser origins allowed to connect ("https://noc.example.net"); none by default. */
  allowedOrigins?: string[];
  limits?: LimitOptions;
  log?: MgmtLog;
  now?: () => number;
  /** cix's version for `show system`; default: package.json's. */
  version?: string;
}

export interface ServerStats {
  connections: number;
  subscriptions: HubStats;
  /** Upgrades refused (401/403/400/503) since start. */
  refused: number;
  /** Connections closed for reading too slowly (1013) since start. */
  closedSlow: number;
  /** Bytes queued for clients now, over all connections (bounded by the send limits). */
  sendBuffered: number;
  /** The most queued for one connection now. */
  maxSendBuffered: number;
}

export interface ManagementServer {
  /** ws://host:port or wss://host:port */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  stats(): ServerStats;
  /** Stops listening, closes every connection (1001), ends subscriptions. */
  close(): Promise<void>;
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(path.join(findProjectRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Answers an upgrade request with an HTTP error and drops the socket. */
function refuseUpgrade(socket: net.Socket, status: number, reason: string): void {
  const body = `${reason}\n`;
  const extra = status === 401 ? 'WWW-Authenticate: Bearer realm="cix"\r\n' : '';
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n` +
      'Connection: close\r\nContent-Type: text/plain; charset=utf-8\r\n' +
      `${extra}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

export async function startManagementServer(opts: ManagementServerOptions): Promise<ManagementServer> {
  const host = opts.listen?.host ?? DEFAULT_HOST;
  const port = opts.listen?.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new MgmtSetupError('MGMT_OPTIONS', `listen.port: ${port} is not 0-65535`);
  if (!opts.tls && !isLoopback(host) && !opts.allowInsecureRemote) {
    throw new MgmtSetupError('MGMT_INSECURE', `listen.host ${host} is not loopback: TLS is required (bearer tokens would travel in clear)`);
  }
  const limits = resolveLimits(opts.limits);
  const log = opts.log ?? stderrLog;
  const now = opts.now ?? Date.now;
  const version = opts.version ?? packageVersion();
  const startedAt = now();
  const httpServer = opts.tls ? https.createServer(readTls(opts.tls)) : http.createServer();

  const baseline = await CounterBaseline.open(opts.stateDir, opts.view.state());
  const certRoles = new CertificateRoles(opts.stateDir);
  const connections = new Set<Connection>();
  let nextId = 1;
  let refused = 0;
  let closedSlow = 0;
  let closing = false;

  const hub = new SubscriptionHub(() => countersSample(baseline.relative(opts.view.state()), baseline.at), log);

  const system = (): SystemStatus => {
    const status: SystemStatus = {
      version,
      hostname: os.hostname(),
      startedAt: BigInt(startedAt),
      revision: opts.store.running().info.number,
      connections: connections.size,
    };
    const pending = opts.txn.pendingConfirm();
    if (pending) status.pendingConfirm = revisionToWire(pending);
    return status;
  };

  const services: ServerServices = {
    txn: opts.txn,
    revisions: opts.store,
    view: opts.view,
    tokens: opts.tokens,
    baseline,
    log,
    now,
    system,
    dropToken: (id) => {
      for (const c of connections) if (c.identity.tokenId === id) c.close(CLOSE.CREDENTIALS_EXPIRED, 'token revoked');
    },
  };

  // One listener per source for the whole server; the hub fans out.
  const unlisten = [
    opts.view.onEvent((e) => {
      const event = applianceEventToWire(e);
      if (event) hub.publish(event);
    }),
    opts.txn.on('commit', (info) => hub.publish({ at: BigInt(now()), commit: { revision: revisionToWire(info) } })),
    opts.txn.on('rollback', (info, reason) => hub.publish({ at: BigInt(now()), rollback: { revision: revisionToWire(info), reason } })),
    opts.txn.on('confirm', (info) => hub.publish({ at: BigInt(now()), confirm: { revision: revisionToWire(info) } })),
  ];

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxPayload,
    perMessageDeflate: false,
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });

  const accept = (ws: WebSocket, identity: Identity): void => {
    // The handshake finished after close() began: close() no longer waits for it.
    if (closing) return ws.terminate();
    const conn = new Connection(nextId++, ws, identity, services, hub, limits, (c, code, reason) => {
      connections.delete(c);
      if (code === CLOSE.TRY_AGAIN_LATER) closedSlow++;
      log('info', `${c.identity.principal.user}@${c.identity.principal.remote} disconnected (${code}${reason ? ` ${reason}` : ''})`);
    });
    connections.add(conn);
    const p = identity.principal;
    const how = identity.method === 'token' ? `token ${identity.tokenId}` : 'client certificate';
    log('info', `${p.user}@${p.remote} connected as ${p.role} (${how})`);
  };

  httpServer.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(426, { 'Content-Type': 'text/plain; charset=utf-8', Upgrade: 'websocket', Connection: 'Upgrade' });
    res.end(`the cix management channel is a WebSocket (subprotocol ${SUBPROTOCOL}); use cix ctl\n`);
  });

  httpServer.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refuse = (status: number, reason: string): void => {
      refused++;
      log('warn', `refused ${remoteOf(req)}: ${status} ${reason}`);
      refuseUpgrade(socket, status, reason);
    };
    if (closing) return refuse(503, 'shutting down');
    if (connections.size >= limits.maxConnections) return refuse(503, `more than ${limits.maxConnections} connections`);
    authenticateUpgrade(req, { tokens: opts.tokens, certRoles, allowedOrigins: opts.allowedOrigins ?? [], subprotocol: SUBPROTOCOL }).then(
      (verdict) => {
        if (!verdict.ok) return refuse(verdict.status, verdict.reason);
        if (closing || socket.destroyed) return socket.destroy();
        wss.handleUpgrade(req, socket, head, (ws) => accept(ws, verdict.identity));
      },
      (err: unknown) => {
        log('warn', `upgrade failed: ${err instanceof Error ? err.message : String(err)}`);
        refuse(500, 'internal error');
      },
    );
  });

  // Token expiry and revocation by another server instance's file edit are
  // caught here too, not only when the client next sends something.
  const sweep = setInterval(() => {
    for (const c of connections) if (!c.credentialsValid()) c.close(CLOSE.CREDENTIALS_EXPIRED, 'token expired or revoked');
  }, 1000);
  const heartbeat = setInterval(() => {
    for (const c of connections) c.heartbeat();
  }, limits.heartbeatMs);
  sweep.unref();
  heartbeat.unref();

  const stopAll = (): void => {
    clearInterval(sweep);
    clearInterval(heartbeat);
    for (const u of unlisten) u();
    hub.close();
  };

  try {
    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(port, host, () => {
        httpServer.off('error', reject);
        resolve();
      });
    });
  } catch (err: unknown) {
    stopAll();
    throw new MgmtSetupError('MGMT_LISTEN', `cannot listen on ${host}:${port}: ${(err as Error).message}`, { cause: err });
  }
  httpServer.on('error', (err) => log('warn', `server: ${err.message}`));

  const address = httpServer.address() as net.AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `${opts.tls ? 'wss' : 'ws'}://${shownHost}:${address.port}`;
  log('info', `management channel on ${url}`);

  return {
    url,
    host: address.address,
    port: address.port,
    stats: () => {
      let sendBuffered = 0;
      let maxSendBuffered = 0;
      for (const c of connections) {
        sendBuffered += c.buffered;
        maxSendBuffered = Math.max(maxSendBuffered, c.buffered);
      }
      return { connections: connections.size, subscriptions: hub.stats(), refused, closedSlow, sendBuffered, maxSendBuffered };
    },
    close: async () => {
      if (closing) return;
      closing = true;
      stopAll();
      const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
      for (const c of connections) c.close(CLOSE.GOING_AWAY, 'server shutting down');
      // Wait for every connection's close (each is cut after a short grace).
      const deadline = Date.now() + 5000;
      while (connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      httpServer.closeAllConnections();
      wss.close();
      await closed;
    },
  };
}
