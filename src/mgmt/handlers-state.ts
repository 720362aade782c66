/** Requests about operational state, streams and the connection itself. */
import { RequestError } from './errors';
import type { EventKind } from './generated';
import type { Handlers } from './handler-types';
import { roleToWire } from './roles';
import { showReply } from './wire-state';

type StateHandlers = Pick<Handlers, 'show' | 'clearCounters' | 'subscribe' | 'unsubscribe' | 'whoami' | 'ping'>;

export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 3_600_000;
export const DEFAULT_INTERVAL_MS = 1000;

export const stateHandlers: StateHandlers = {
  show: (ctx, b) => {
    if (b.what === 'SHOW_WHAT_UNSPECIFIED') {
      throw new RequestError('BAD_REQUEST', 'what: required (ports, attachments, services, counters, drops, sa, dataplane, system)', [
        { path: 'what', message: 'required' },
      ]);
    }
    const { view, baseline } = ctx.services;
    return showReply(b.what, baseline.relative(view.state()), baseline.at, () => ctx.services.system());
  },
  clearCounters: async (ctx) => {
    const { view, baseline, now, log } = ctx.services;
    const at = await baseline.clear(view.state(), now());
    log('info', `counters cleared by ${ctx.identity.principal.user} from ${ctx.identity.principal.remote}`);
    return { baselineAt: BigInt(at) };
  },
  subscribe: (ctx, b) => {
    if (b.counters) {
      const interval = b.counters.intervalMs === 0 ? DEFAULT_INTERVAL_MS : b.counters.intervalMs;
      if (interval < MIN_INTERVAL_MS || interval > MAX_INTERVAL_MS) {
        const why = `${MIN_INTERVAL_MS} to ${MAX_INTERVAL_MS} (0 = ${DEFAULT_INTERVAL_MS})`;
        throw new RequestError('BAD_REQUEST', `counters.interval_ms: ${why}`, [{ path: 'counters.interval_ms', message: why }]);
      }
      return { subscriptionId: ctx.subscribeCounters(interval) };
    }
    if (b.events) {
      // A kind this server does not know reads as UNSPECIFIED (codec.ts).
      const known = b.events.kinds.filter((k): k is EventKind => k !== 'EVENT_KIND_UNSPECIFIED');
      if (b.events.kinds.length > 0 && known.length === 0) {
        throw new RequestError('BAD_REQUEST', 'events.kinds: no kind this server knows', [{ path: 'events.kinds', message: 'unknown kinds' }]);
      }
      return { subscriptionId: ctx.subscribeEvents(known) };
    }
    throw new RequestError('BAD_REQUEST', 'stream: counters or events required', [{ path: 'stream', message: 'required' }]);
  },
  unsubscribe: (ctx, b) => {
    if (!ctx.unsubscribe(b.subscriptionId)) throw new RequestError('NOT_FOUND', `no subscription ${b.subscriptionId} on this connection`);
    return {};
  },
  whoami: (ctx) => {
    const { principal, method, tokenId } = ctx.identity;
    return {
      user: principal.user,
      role: roleToWire(principal.role),
      remote: principal.remote,
      method: method === 'token' ? 'AUTH_METHOD_TOKEN' : 'AUTH_METHOD_CERTIFICATE',
      tokenId: tokenId ?? '',
    };
  },
  ping: (ctx) => ({ at: BigInt(ctx.services.now()) }),
};
