/**
 * The client library of the management channel (what `cix ctl` uses).
 *
 *   const c = await ManagementClient.connect({ url, token });
 *   await c.set('ports[cust0].mtu', '9000');
 *   const rev = await c.commit({ comment: 'jumbo' });
 *   const sub = await c.subscribeCounters({ intervalMs: 1000 }, (s) => ...);
 *   await c.close();
 *
 * Requests may be sent without waiting for earlier ones; the server answers
 * them in order. A failed request rejects with RemoteError (the server's
 * code and path-named issues); a connection problem with ClientError.
 */
import { WebSocket, type ClientOptions as WsClientOptions, type RawData } from 'ws';

import { decodeServerMessage, encodeClientMessage } from './codec';
import { ClientError, RemoteError, type RemoteErrorCode } from './errors';
import type {
  ConfigDiff,
  ConfigDocument,
  CountersSample,
  Event,
  EventKind,
  Issue,
  Push,
  Request,
  Response,
  RevisionInfo,
  Role as WireRole,
  ServerMessage,
  ShowReply,
  ShowWhat,
  TokenInfo,
  WhoamiReply,
} from './generated';
import { DEFAULT_PORT, SUBPROTOCOL, type ReplyBody, type RequestBody, type RequestKind } from './protocol';
import { roleToWire, type Role } from './roles';

export const DEFAULT_URL = `ws://127.0.0.1:${DEFAULT_PORT}`;
export type { ReplyBody, RequestBody, RequestKind };

export interface ClientTlsOptions {
  /** PEM CA(s) the server's certificate must chain to (default: the system's). */
  ca?: string | Buffer;
  /** PEM client certificate and key, for servers that take client certificates. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** Name to check the server's certificate against, when not the URL's host. */
  servername?: string;
}

export interface ClientOptions {
  /** ws://host:port or wss://host:port; default ws://127.0.0.1:8442. */
  url?: string;
  /** Bearer token ("cix_..."); see loadToken(). Without one, a client certificate must do. */
  token?: string;
  tls?: ClientTlsOptions;
  /** Sent as the Origin header (only browsers send one; for tests). */
  origin?: string;
  /** Default 10 s. */
  connectTimeoutMs?: number;
  /** Default 120 s: a commit waits for the data plane. */
  requestTimeoutMs?: number;
}

/** What `show` can show, as `cix ctl show <what>` names it. */
export type ShowTopic = 'ports' | 'attachments' | 'services' | 'counters' | 'drops' | 'sa' | 'dataplane' | 'system';

export const SHOW_TOPICS: Readonly<Record<ShowTopic, ShowWhat>> = {
  ports: 'SHOW_WHAT_PORTS',
  attachments: 'SHOW_WHAT_ATTACHMENTS',
  services: 'SHOW_WHAT_SERVICES',
  counters: 'SHOW_WHAT_COUNTERS',
  drops: 'SHOW_WHAT_DROPS',
  sa: 'SHOW_WHAT_SA',
  dataplane: 'SHOW_WHAT_DATAPLANE',
  system: 'SHOW_WHAT_SYSTEM',
};

export interface Subscription {
  readonly id: number;
  /** Ends the stream (unsubscribe); resolves once the server confirmed. */
  close(): Promise<void>;
}

type PushListener = (push: Push) => void;

interface Pending {
  kind: RequestKind;
  resolve: (reply: unknown) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  /** Runs synchronously when the reply arrives, before any later message is handled. */
  onReply?: (reply: unknown) => void;
}

function remoteCode(code: string): RemoteErrorCode {
  return (code.startsWith('ERROR_CODE_') ? code.slice('ERROR_CODE_'.length) : 'UNSPECIFIED') as RemoteErrorCode;
}

export class ManagementClient {
  private readonly pending = new Map<number, Pending>();
  private readonly pushListeners = new Map<number, PushListener>();
  private readonly closeListeners = new Set<(err: ClientError) => void>();
  private nextId = 1;
  private closedWith: ClientError | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly requestTimeoutMs: number,
  ) {
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('error', () => undefined); // 'close' follows and says it all
    ws.on('close', (code, reason) => {
      this.shutdown(new ClientError('MGMT_CLOSED', `connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`, {
        closeCode: code,
        closeReason: reason.toString(),
      }));
    });
  }

  /** Opens a connection; rejects with ClientError (MGMT_UNAUTHORIZED, MGMT_FORBIDDEN, MGMT_CONNECT, ...). */
  static connect(opts: ClientOptions = {}): Promise<ManagementClient> {
    const url = opts.url ?? DEFAULT_URL;
    const headers: Record<string, string> = {};
    if (opts.token !== undefined) headers['Authorization'] = `Bearer ${opts.token}`;
    // ws hands servername on to tls.connect; its types leave it out.
    const wsOpts: WsClientOptions & { servername?: string } = {
      headers,
      handshakeTimeout: opts.connectTimeoutMs ?? 10_000,
      perMessageDeflate: false,
      maxPayload: 256 * 1024 * 1024,
    };
    if (opts.origin !== undefined) wsOpts.origin = opts.origin;
    if (opts.tls) {
      if (opts.tls.ca !== undefined) wsOpts.ca = opts.tls.ca;
      if (opts.tls.cert !== undefined) wsOpts.cert = opts.tls.cert;
      if (opts.tls.key !== undefined) wsOpts.key = opts.tls.key;
      if (opts.tls.servername !== undefined) wsOpts.servername = opts.tls.servername;
    }
    return new Promise((resolve, reject) => {
      let ws: WebSocket;
      try {
        ws = new WebSocket(url, [SUBPROTOCOL], wsOpts);
      } catch (err: unknown) {
        reject(new ClientError('MGMT_CONNECT', `${url}: ${(err as Error).message}`, { cause: err }));
        return;
      }
      let settled = false;
      const fail = (err: ClientError): void => {
        if (settled) return;
        settled = true;
        ws.terminate();
        reject(err);
      };
      ws.once('unexpected-response', (_req, res) => {
        const status = res.statusCode ?? 0;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (body.length < 1024) body += chunk;
        });
        res.on('end', () => {
          const why = body.trim() || res.statusMessage || '';
          const code = status === 401 ? 'MGMT_UNAUTHORIZED' : status === 403 ? 'MGMT_FORBIDDEN' : 'MGMT_HTTP';
          fail(new ClientError(code, `${url}: HTTP ${status}${why ? `: ${why}` : ''}`, { status }));
        });
        res.on('error', () => fail(new ClientError('MGMT_HTTP', `${url}: HTTP ${status}`, { status })));
      });
      ws.once('error', (err) => fail(new ClientError('MGMT_CONNECT', `${url}: ${err.message}`, { cause: err })));
      ws.once('open', () => {
        if (settled) return;
        settled = true;
        resolve(new ManagementClient(ws, opts.requestTimeoutMs ?? 120_000));
      });
    });
  }

  /** True once the connection is closed (every later request rejects with MGMT_CLOSED). */
  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  /** Called once when the connection closes, with why. Returns a function that removes the listener. */
  onClose(listener: (err: ClientError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Sends one request of any kind; resolves with the response's member of the same name. */
  request<K extends RequestKind>(kind: K, body: RequestBody<K>, onReply?: (reply: ReplyBody<K>) => void): Promise<ReplyBody<K>> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    const id = this.nextId;
    this.nextId = this.nextId >= 0xffffffff ? 1 : this.nextId + 1;
    const request = { id, [kind]: body } as Request;
    let bytes: Uint8Array;
    try {
      bytes = encodeClientMessage({ request });
    } catch (err: unknown) {
      return Promise.reject(new ClientError('MGMT_PROTOCOL', `${kind}: cannot encode: ${(err as Error).message}`, { cause: err }));
    }
    return new Promise<ReplyBody<K>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ClientError('MGMT_TIMEOUT', `${kind}: no reply within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      const entry: Pending = { kind, resolve: resolve as (r: unknown) => void, reject, timer };
      if (onReply) entry.onReply = onReply as (r: unknown) => void;
      this.pending.set(id, entry);
      this.ws.send(bytes, { binary: true });
    });
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    let msg: ServerMessage;
    try {
      if (!isBinary) throw new Error('a text frame');
      msg = decodeServerMessage(Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    } catch (err: unknown) {
      this.shutdown(new ClientError('MGMT_PROTOCOL', `the server sent something that is not a ServerMessage: ${(err as Error).message}`));
      this.ws.close(1007, 'not a cix.v1.ServerMessage');
      return;
    }
    if (msg.response) this.onResponse(msg.response);
    else if (msg.push) this.pushListeners.get(msg.push.subscriptionId)?.(msg.push);
  }

  private onResponse(res: Response): void {
    const p = this.pending.get(res.id);
    if (!p) return; // timed out already
    this.pending.delete(res.id);
    clearTimeout(p.timer);
    if (res.error) {
      p.reject(new RemoteError(remoteCode(res.error.code), res.error.message, res.error.issues, p.kind));
      return;
    }
    const reply = (res as unknown as Record<string, unknown>)[p.kind];
    if (reply === undefined) {
      p.reject(new ClientError('MGMT_PROTOCOL', `${p.kind}: the reply is not a ${p.kind} reply`));
      return;
    }
    try {
      p.onReply?.(reply);
    } finally {
      p.resolve(reply);
    }
  }

  private shutdown(err: ClientError): void {
    if (this.closedWith) return;
    this.closedWith = err;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.pending.clear();
    this.pushListeners.clear();
    for (const l of this.closeListeners) l(err);
    this.closeListeners.clear();
  }

  /** Closes the connection (the server then drops this connection's candidate and subscriptions). */
  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.ws.terminate(), 2000);
      this.ws.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.close(1000, 'bye');
    });
  }

  // -- configuration ---------------------------------------------------------

  getRunning(): Promise<ConfigDocument> {
    return this.request('getRunning', {});
  }

  getCandidate(): Promise<ConfigDocument> {
    return this.request('getCandidate', {});
  }

  getRevision(revision: number): Promise<ConfigDocument> {
    return this.request('getRevision', { revision });
  }

  /** Newest first. */
  async listRevisions(): Promise<RevisionInfo[]> {
    return (await this.request('listRevisions', {})).revisions;
  }

  /** The candidate against running. */
  diff(): Promise<ConfigDiff> {
    return this.request('diff', {});
  }

  compare(from: number, to: number): Promise<ConfigDiff> {
    return this.request('compare', { from, to });
  }

  /** `value`: JSON text or a bare word (docs/management.md, "Paths and values"). */
  async set(path: string, value: string): Promise<void> {
    await this.request('set', { path, value });
  }

  async delete(path: string): Promise<void> {
    await this.request('delete', { path });
  }

  async load(text: string, opts: { format?: 'yaml' | 'json'; mode?: 'replace' | 'merge' } = {}): Promise<void> {
    await this.request('load', {
      text,
      format: opts.format === 'json' ? 'LOAD_FORMAT_JSON' : 'LOAD_FORMAT_YAML',
      mode: opts.mode === 'merge' ? 'LOAD_MODE_MERGE' : 'LOAD_MODE_REPLACE',
    });
  }

  /** Every issue of the candidate with its path; [] when valid. */
  async validate(): Promise<Issue[]> {
    return (await this.request('validate', {})).issues;
  }

  async discard(): Promise<void> {
    await this.request('discard', {});
  }

  /**
   * `confirmedSeconds` > 0, or `confirmed` (the server's default time):
   * commit-confirmed, rolled back unless a later plain commit confirms it.
   */
  commit(opts: { comment?: string; confirmedSeconds?: number; confirmed?: boolean } = {}): Promise<RevisionInfo> {
    return this.request('commit', {
      comment: opts.comment ?? '',
      confirmedSeconds: opts.confirmedSeconds ?? 0,
      confirmed: opts.confirmed ?? false,
    });
  }

  rollback(revision: number, comment?: string): Promise<RevisionInfo> {
    return this.request('rollback', { revision, comment: comment ?? '' });
  }

  // -- state -------------------------------------------------------------------

  /** Counters in the reply are relative to the last `clear counters` (reply.baselineAt). */
  show(topic: ShowTopic): Promise<ShowReply> {
    return this.request('show', { what: SHOW_TOPICS[topic] });
  }

  /** Resets the display baseline (exported counters never move); resolves with its time (unix ms). */
  async clearCounters(): Promise<bigint> {
    return (await this.request('clearCounters', {})).baselineAt;
  }

  /** Counter samples every intervalMs (default 1000, at least 100); the first one comes at once. */
  subscribeCounters(
    opts: { intervalMs?: number },
    onSample: (sample: CountersSample, skipped: number) => void,
  ): Promise<Subscription> {
    return this.subscribe({ counters: { intervalMs: opts.intervalMs ?? 0 } }, (push) => {
      if (push.counters) onSample(push.counters, push.skipped);
    });
  }

  /** Events as they happen; `kinds` empty or left out = every kind. */
  subscribeEvents(onEvent: (event: Event) => void, kinds: EventKind[] = []): Promise<Subscription> {
    return this.subscribe({ events: { kinds } }, (push) => {
      if (push.event) onEvent(push.event);
    });
  }

  private async subscribe(body: RequestBody<'subscribe'>, listener: PushListener): Promise<Subscription> {
    // The listener is in place before any later message is read: the first
    // sample follows the reply immediately, possibly in the same TCP read.
    const reply = await this.request('subscribe', body, (r) => this.pushListeners.set(r.subscriptionId, listener));
    const id = reply.subscriptionId;
    return {
      id,
      close: async () => {
        this.pushListeners.delete(id);
        if (!this.closed) await this.request('unsubscribe', { subscriptionId: id });
      },
    };
  }

  // -- tokens and identity -----------------------------------------------------

  /** The reply's `token` is the secret: shown this once. ttlSeconds 0 or left out = never expires. */
  async tokenCreate(user: string, role: Role, ttlSeconds = 0): Promise<{ token: string; info: TokenInfo }> {
    const reply = await this.request('tokenCreate', { user, role: roleToWire(role), ttlSeconds });
    if (!reply.info) throw new ClientError('MGMT_PROTOCOL', 'tokenCreate: the reply has no token info');
    return { token: reply.token, info: reply.info };
  }

  async tokenRevoke(id: string): Promise<void> {
    await this.request('tokenRevoke', { id });
  }

  async tokenList(): Promise<TokenInfo[]> {
    return (await this.request('tokenList', {})).tokens;
  }

  whoami(): Promise<WhoamiReply> {
    return this.request('whoami', {});
  }

  /** The server's clock (unix ms). */
  async ping(): Promise<bigint> {
    return (await this.request('ping', {})).at;
  }
}

/** The role names of the wire enum, for display: 'ROLE_OPERATOR' -> 'operator'. */
export function roleName(role: WireRole): string {
  return role.replace(/^ROLE_/, '').toLowerCase();
}
