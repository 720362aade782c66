/**
 * One management connection: takes binary frames, admits them (rate limit,
 * in-flight limit, credentials still valid), answers requests one at a time
 * in the order they came, and carries the connection's pushes with bounded
 * buffering.
 *
 * Close codes (docs/management.md): 1003 text frame, 1007 not a
 * ClientMessage, 1008 rate limit abuse, 1009 too big (ws itself), 1013 the
 * client reads too slowly, 4401 the token expired or was revoked, 1001 the
 * server is shutting down.
 */
import type { RawData, WebSocket } from 'ws';

import type { Identity } from './auth';
import { decodeClientMessage, encodeServerMessage } from './codec';
import type { RequestContext, ServerServices } from './context';
import { RequestError } from './errors';
import { toRequestError } from './error-reply';
import type { EventKind, Request, Response } from './generated';
import type { Handler } from './handler-types';
import { HANDLERS } from './handlers';
import type { ReplyBody, RequestBody } from './protocol';
import { MessageRateLimiter, type RateLimits } from './rate-limit';
import { REQUIRED_ROLE, mayRequest, type RequestKind } from './roles';
import type { PushTarget, SubscriptionHub } from './subscriptions';
import type { CandidateSession } from './txn-types';

export const CLOSE = {
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  INVALID_PAYLOAD: 1007,
  POLICY: 1008,
  TOO_BIG: 1009,
  TRY_AGAIN_LATER: 1013,
  CREDENTIALS_EXPIRED: 4401,
} as const;

export interface ConnectionLimits {
  /** Requests queued on one connection before more are refused RATE_LIMITED. */
  maxInFlight: number;
  maxSubscriptions: number;
  /** Bytes waiting to be sent past which counter samples are skipped. */
  sendSoftLimit: number;
  /** Bytes waiting to be sent past which the connection is closed (1013). */
  sendHardLimit: number;
  rate: RateLimits;
}

/** How long a closed connection may take to finish its close handshake before it is cut. */
const CLOSE_GRACE_MS = 2000;

function requestKindOf(req: Request): RequestKind | undefined {
  for (const k of Object.keys(req)) {
    if (k !== 'id' && Object.prototype.hasOwnProperty.call(REQUIRED_ROLE, k)) return k as RequestKind;
  }
  return undefined;
}

function errorResponse(id: number, err: RequestError): Response {
  return { id, error: { code: `ERROR_CODE_${err.code}`, message: err.message, issues: err.issues } };
}

export class Connection implements PushTarget {
  private readonly limiter: MessageRateLimiter;
  private readonly queue: Request[] = [];
  private running = false;
  private closing = false;
  private alive = true;
  private killTimer: NodeJS.Timeout | undefined;
  /** Set when the server closed the connection, and why. */
  private closedBy: { code: number; reason: string } | undefined;
  private session: CandidateSession | undefined;
  private nextSubscriptionId = 1;
  /** Counters subscriptions made by the request being answered: their first sample follows its reply. */
  private pendingFirstSamples: number[] = [];
  private readonly context: RequestContext;

  constructor(
    readonly id: number,
    private readonly ws: WebSocket,
    readonly identity: Identity,
    private readonly services: ServerServices,
    private readonly hub: SubscriptionHub,
    private readonly limits: ConnectionLimits,
    private readonly onClosed: (c: Connection, code: number, reason: string) => void,
  ) {
    this.limiter = new MessageRateLimiter(limits.rate, services.now());
    this.context = {
      services,
      identity,
      candidate: () => this.candidate(),
      subscribeCounters: (interval) => this.subscribe((id) => this.hub.addCounters(this, id, interval), true),
      subscribeEvents: (kinds: EventKind[]) => this.subscribe((id) => this.hub.addEvents(this, id, kinds), false),
      unsubscribe: (id) => this.hub.remove(this, id),
    };
    ws.on('message', (data, isBinary) => this.onMessage(data, isBinary));
    ws.on('pong', () => {
      this.alive = true;
    });
    // ws reports protocol errors (bad frames, oversized messages) here and
    // closes the socket itself with the matching code.
    ws.on('error', (err) => services.log('info', `${this.who()}: ${err.message}`));
    ws.on('close', (code, reason) => this.onClose(code, reason.toString()));
  }

  private who(): string {
    const p = this.identity.principal;
    return `${p.user}@${p.remote}`;
  }

  private candidate(): CandidateSession {
    this.session ??= this.services.txn.openSession(this.identity.principal);
    return this.session;
  }

  /** Subscription ids are per connection; `first`: a counters subscription's first sample follows the reply. */
  private subscribe(add: (id: number) => void, first: boolean): number {
    if (this.hub.count(this) >= this.limits.maxSubscriptions) {
      throw new RequestError('LIMIT', `at most ${this.limits.maxSubscriptions} subscriptions per connection`);
    }
    const id = this.nextSubscriptionId++;
    add(id);
    if (first) this.pendingFirstSamples.push(id);
    return id;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    if (this.closing) return;
    if (!isBinary) return this.close(CLOSE.UNSUPPORTED_DATA, 'binary protobuf messages only');
    const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
    let req: Request | undefined;
    try {
      req = decodeClientMessage(bytes).request;
    } catch {
      return this.close(CLOSE.INVALID_PAYLOAD, 'not a cix.v1.ClientMessage');
    }
    if (!req) return this.close(CLOSE.INVALID_PAYLOAD, 'a ClientMessage without a request');

    const admission = this.limiter.admit(this.services.now());
    if (admission === 'abuse') return this.close(CLOSE.POLICY, 'rate limit exceeded again and again');
    if (admission === 'refused') {
      return this.send(encodeServerMessage({ response: errorResponse(req.id, new RequestError('RATE_LIMITED', 'too many requests: slow down')) }));
    }
    if (!this.credentialsValid()) return this.close(CLOSE.CREDENTIALS_EXPIRED, 'token expired or revoked');
    if (this.queue.length >= this.limits.maxInFlight) {
      const err = new RequestError('RATE_LIMITED', `more than ${this.limits.maxInFlight} requests waiting on this connection`);
      return this.send(encodeServerMessage({ response: errorResponse(req.id, err) }));
    }
    this.queue.push(req);
    void this.pump();
  }

  /** Token connections are checked on every message: revoking or expiring takes effect at once. */
  credentialsValid(): boolean {
    const { tokenId } = this.identity;
    return tokenId === undefined || this.services.tokens.isValid(tokenId);
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let req = this.queue.shift(); req && !this.closing; req = this.queue.shift()) {
        const response = await this.execute(req);
        if (this.closing) break;
        this.send(this.encodeResponse(response));
        for (const id of this.pendingFirstSamples.splice(0)) this.hub.sendFirstSample(this, id);
      }
    } finally {
      this.running = false;
    }
  }

  private async execute(req: Request): Promise<Response> {
    const kind = requestKindOf(req);
    if (!kind) return errorResponse(req.id, new RequestError('UNSUPPORTED', 'a request kind this server does not know (is the client newer?)'));
    const role = this.identity.principal.role;
    if (!mayRequest(role, kind)) {
      this.services.log('info', `${this.who()} (${role}) refused ${kind}: needs ${REQUIRED_ROLE[kind]}`);
      return errorResponse(req.id, new RequestError('PERMISSION_DENIED', `${kind} needs the ${REQUIRED_ROLE[kind]} role; ${this.identity.principal.user} is ${role}`));
    }
    try {
      const result = await runHandler(kind, this.context, req[kind] as RequestBody<typeof kind>);
      return { id: req.id, [kind]: result } as Response;
    } catch (err: unknown) {
      this.pendingFirstSamples = [];
      return errorResponse(req.id, toRequestError(err, (e) => this.logInternal(kind, e)));
    }
  }

  private encodeResponse(response: Response): Uint8Array {
    try {
      return encodeServerMessage({ response });
    } catch (err: unknown) {
      this.logInternal('encode', err);
      return encodeServerMessage({ response: errorResponse(response.id, new RequestError('INTERNAL', 'internal error (see the server log)')) });
    }
  }

  private logInternal(what: string, err: unknown): void {
    this.services.log('warn', `${this.who()}: ${what} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }

  /** Bytes queued for this client and not yet taken by the kernel. */
  get buffered(): number {
    return this.ws.bufferedAmount;
  }

  isBehind(): boolean {
    return this.ws.bufferedAmount > this.limits.sendSoftLimit;
  }

  send(bytes: Uint8Array): void {
    if (this.closing) return;
    if (this.ws.bufferedAmount + bytes.length > this.limits.sendHardLimit) {
      return this.close(CLOSE.TRY_AGAIN_LATER, 'client reads too slowly');
    }
    this.ws.send(bytes, { binary: true });
  }

  /** Called by the server's heartbeat: false when the peer did not answer the last ping (it is then cut). */
  heartbeat(): boolean {
    if (!this.alive) {
      this.ws.terminate();
      return false;
    }
    this.alive = false;
    if (!this.closing) this.ws.ping();
    return true;
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.closedBy = { code, reason };
    this.services.log('info', `${this.who()}: closing (${code} ${reason})`);
    this.release();
    this.ws.close(code, reason);
    // A client that does not read never completes the close handshake.
    this.killTimer = setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS);
  }

  /** Ends subscriptions and the candidate session: nothing of this connection outlives it. */
  private release(): void {
    this.queue.length = 0;
    this.pendingFirstSamples = [];
    this.hub.removeTarget(this);
    this.session?.close();
    this.session = undefined;
  }

  private onClose(code: number, reason: string): void {
    this.closing = true;
    if (this.killTimer) clearTimeout(this.killTimer);
    this.killTimer = undefined;
    this.release();
    // When the server closed, its own code says why (the peer's answer may
    // never have come: 1006 says nothing).
    this.onClosed(this, this.closedBy?.code ?? code, this.closedBy?.reason ?? reason);
  }
}

/** Calls the handler of `kind` (the correlation of kind and body is lost in a union; this restores it). */
function runHandler<K extends RequestKind>(kind: K, ctx: RequestContext, body: RequestBody<K>): Promise<ReplyBody<K>> {
  const handler = HANDLERS[kind] as Handler<K>;
  return Promise.resolve(handler(ctx, body));
}
