/**
 * The dataplane host: one native dataplane, the plan it runs and its
 * counters, behind a typed API. The event loop only builds tables and reads
 * counters here; packets never pass through it.
 */
import { native, type NativeDataplane, type NativeReplayStats, type ReplayPortPaths } from '../native/binding';
import type { TablesPlan } from '../native/plan';
import { CounterReader, type CounterSnapshot } from './counters';

export class DataplaneError extends Error {
  readonly code = 'CIX_DATAPLANE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataplaneError';
  }
}

export interface DataplaneOptions {
  workers: number;
  /** Capacity for attachments; counters are sized for it once. */
  maxAttachments: number;
}

export class DataplaneHost {
  private readonly dp: NativeDataplane;
  private readonly counters: CounterReader;
  private plan: TablesPlan | undefined;
  private closed = false;

  constructor(opts: DataplaneOptions) {
    const mod = native();
    this.dp = new mod.Dataplane(opts);
    this.counters = new CounterReader(this.dp.layout(), mod.counterSlots(), mod.dropReasons(), mod.limits.dropBase);
  }

  /** Publishes the plan as a new epoch; returns its generation. */
  publish(plan: TablesPlan): number {
    this.assertOpen();
    try {
      const generation = this.dp.publish(plan);
      this.plan = plan;
      return generation;
    } catch (err) {
      throw new DataplaneError(`cannot publish tables: ${(err as Error).message}`, { cause: err });
    }
  }

  /** Counters of every port and attachment of the running plan, by name. */
  snapshot(): CounterSnapshot {
    this.assertOpen();
    const plan = this.plan;
    if (plan === undefined) throw new DataplaneError('no plan published');
    return this.counters.snapshot(
      plan.ports.map((p) => p.name),
      plan.attachments.map((a) => a.name),
    );
  }

  /** Runs capture files through the fast path (one worker, capture time as the clock). */
  async replay(ports: ReplayPortPaths[], burst: number): Promise<NativeReplayStats> {
    this.assertOpen();
    return this.dp.replay({ ports, burst });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dp.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new DataplaneError('dataplane closed');
  }
}
