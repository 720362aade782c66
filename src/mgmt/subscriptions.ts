/**
 * Subscriptions: counter samples at an interval, and events as they happen.
 *
 * One timer per distinct interval serves every subscription with that
 * interval: each tick reads the state once (view.state() reads the fast
 * path's shared counters in place) and encodes the sample once; only the
 * few envelope bytes are made per subscriber. An event is encoded once the
 * same way.
 *
 * Backpressure: a subscriber that has not read what it was sent (its
 * connection's send buffer is over the soft limit) gets no new sample: the
 * samples it misses are counted and the count rides on its next push
 * (Push.skipped). Events are never dropped; a connection whose buffer passes
 * the hard limit is closed by the connection itself (1013).
 */
import { encodeMessage, encodePush } from './codec';
import type { CountersSample, Event, EventKind } from './generated';
import type { MgmtLog } from './log';
import { eventKind } from './wire-state';

/** The connection side of a subscription. */
export interface PushTarget {
  /** True while the client has not read what it was sent before (samples are then skipped). */
  isBehind(): boolean;
  /** Queues one ServerMessage (past the hard limit the connection closes instead). */
  send(bytes: Uint8Array): void;
}

interface CountersSub {
  kind: 'counters';
  id: number;
  target: PushTarget;
  intervalMs: number;
  /** Samples not sent since the last one that was. */
  skipped: number;
}

interface EventsSub {
  kind: 'events';
  id: number;
  target: PushTarget;
  /** Empty = every kind. */
  kinds: ReadonlySet<EventKind>;
}

type Sub = CountersSub | EventsSub;

interface IntervalGroup {
  timer: NodeJS.Timeout;
  subs: Set<CountersSub>;
}

export interface HubStats {
  subscriptions: number;
  /** Sample timers running (one per distinct interval). */
  timers: number;
  samplesSent: number;
  /** Samples not sent to a subscriber that was behind (coalesced). */
  samplesSkipped: number;
  eventsSent: number;
}

export class SubscriptionHub {
  private readonly byTarget = new Map<PushTarget, Map<number, Sub>>();
  private readonly groups = new Map<number, IntervalGroup>();
  private readonly counts = { samplesSent: 0, samplesSkipped: 0, eventsSent: 0 };
  private sampleFailed = false;

  constructor(
    /** The current sample (state relative to the baseline); called once per tick. */
    private readonly sample: () => CountersSample,
    private readonly log: MgmtLog,
  ) {}

  private subsOf(target: PushTarget): Map<number, Sub> {
    let subs = this.byTarget.get(target);
    if (!subs) {
      subs = new Map();
      this.byTarget.set(target, subs);
    }
    return subs;
  }

  count(target: PushTarget): number {
    return this.byTarget.get(target)?.size ?? 0;
  }

  addCounters(target: PushTarget, id: number, intervalMs: number): void {
    const sub: CountersSub = { kind: 'counters', id, target, intervalMs, skipped: 0 };
    this.subsOf(target).set(id, sub);
    let group = this.groups.get(intervalMs);
    if (!group) {
      const subs = new Set<CountersSub>();
      const timer = setInterval(() => this.tick(subs), intervalMs);
      group = { timer, subs };
      this.groups.set(intervalMs, group);
    }
    group.subs.add(sub);
  }

  /** Sends subscription `id` its first sample now, rather than an interval later. */
  sendFirstSample(target: PushTarget, id: number): void {
    const sub = this.byTarget.get(target)?.get(id);
    if (sub?.kind === 'counters') this.tick(new Set([sub]));
  }

  addEvents(target: PushTarget, id: number, kinds: EventKind[]): void {
    this.subsOf(target).set(id, { kind: 'events', id, target, kinds: new Set(kinds) });
  }

  /** false when the target has no such subscription. */
  remove(target: PushTarget, id: number): boolean {
    const subs = this.byTarget.get(target);
    const sub = subs?.get(id);
    if (!subs || !sub) return false;
    subs.delete(id);
    if (subs.size === 0) this.byTarget.delete(target);
    if (sub.kind === 'counters') {
      const group = this.groups.get(sub.intervalMs);
      group?.subs.delete(sub);
      if (group && group.subs.size === 0) {
        clearInterval(group.timer);
        this.groups.delete(sub.intervalMs);
      }
    }
    return true;
  }

  /** Ends every subscription of a connection (it closed). */
  removeTarget(target: PushTarget): void {
    const subs = this.byTarget.get(target);
    if (!subs) return;
    for (const id of [...subs.keys()]) this.remove(target, id);
  }

  /** Sends an event to every subscription that wants its kind. */
  publish(event: Event): void {
    const kind = eventKind(event);
    let body: Uint8Array | undefined;
    for (const subs of this.byTarget.values()) {
      for (const sub of subs.values()) {
        if (sub.kind !== 'events' || (sub.kinds.size > 0 && !sub.kinds.has(kind))) continue;
        body ??= encodeMessage('Event', event);
        sub.target.send(encodePush(sub.id, 0, 'event', body));
        this.counts.eventsSent++;
      }
    }
  }

  private tick(subs: ReadonlySet<CountersSub>): void {
    let body: Uint8Array | undefined;
    for (const sub of subs) {
      if (sub.target.isBehind()) {
        sub.skipped++;
        this.counts.samplesSkipped++;
        continue;
      }
      if (!body) {
        try {
          body = encodeMessage('CountersSample', this.sample());
          this.sampleFailed = false;
        } catch (err: unknown) {
          // Say it once per failure streak, not once per tick.
          if (!this.sampleFailed) this.log('warn', `counters sample failed: ${err instanceof Error ? err.message : String(err)}`);
          this.sampleFailed = true;
          return;
        }
      }
      sub.target.send(encodePush(sub.id, sub.skipped, 'counters', body));
      sub.skipped = 0;
      this.counts.samplesSent++;
    }
  }

  stats(): HubStats {
    let subscriptions = 0;
    for (const subs of this.byTarget.values()) subscriptions += subs.size;
    return { subscriptions, timers: this.groups.size, ...this.counts };
  }

  close(): void {
    for (const group of this.groups.values()) clearInterval(group.timer);
    this.groups.clear();
    this.byTarget.clear();
  }
}
