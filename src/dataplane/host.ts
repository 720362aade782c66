/**
 * The dataplane host: one native dataplane, the plan it runs, its counters
 * and its live workers, behind a typed API. The event loop only builds
 * tables, starts and stops the workers and reads counters here; packets
 * never pass through it.
 */
import {
  native,
  type LivePortStatus,
  type LiveRunSpec,
  type LiveSocketStats,
  type NativeDataplane,
  type NativeReplayStats,
  type ReplayPortPaths,
} from '../native/binding';
import type { TablesPlan } from '../native/plan';
import { CounterReader, type CounterSnapshot } from './counters';
import { checkLiveRunSpec, LiveSpecError } from './live-spec';

export class DataplaneError extends Error {
  readonly code = 'CIX_DATAPLANE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DataplaneError';
  }
}

/** The live runtime could not open a port or start a worker; nothing was left open. */
export class LiveStartError extends Error {
  readonly code = 'CIX_LIVE_START';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LiveStartError';
  }
}

export interface DataplaneOptions {
  workers: number;
  /** Capacity for attachments; counters are sized for it once. */
  maxAttachments: number;
  /**
   * Keep the counters in this file (MAP_SHARED), replaced by a new zeroed
   * one, so another process can read them with mapCounters(); they outlive
   * this process. Absent: in-process memory.
   */
  countersPath?: string;
}

export class DataplaneHost {
  private readonly dp: NativeDataplane;
  private readonly counters: CounterReader;
  private readonly workers: number;
  private plan: TablesPlan | undefined;
  private closed = false;

  constructor(opts: DataplaneOptions) {
    const mod = native();
    const nativeOpts = { workers: opts.workers, maxAttachments: opts.maxAttachments };
    this.dp = new mod.Dataplane(opts.countersPath === undefined ? nativeOpts : { ...nativeOpts, countersPath: opts.countersPath });
    this.workers = opts.workers;
    this.counters = new CounterReader(this.dp.layout(), mod.counterSlots(), mod.dropReasons(), mod.limits.dropBase);
  }

  /** Publishes the plan as a new epoch; returns its generation. Under traffic: one swap, no frame lost. */
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

  /**
   * Opens the spec's ports and starts the worker threads. Publish a plan
   * first. LiveSpecError (every bad field named) before anything is opened;
   * LiveStartError naming the port and interface when the system refuses,
   * with everything opened so far closed again.
   */
  start(spec: LiveRunSpec): LivePortStatus[] {
    this.assertOpen();
    if (this.dp.running()) throw new DataplaneError('already running; stop() first');
    if (this.plan === undefined) throw new DataplaneError('publish a plan before start()');
    const limits = native().limits;
    const issues = checkLiveRunSpec(spec, { workers: this.workers, maxPorts: limits.maxPorts, maxBurst: limits.maxBurst, plan: this.plan });
    if (issues.length > 0) throw new LiveSpecError(issues);
    try {
      return this.dp.start(spec);
    } catch (err) {
      throw new LiveStartError((err as Error).message, { cause: err });
    }
  }

  /** Stops the workers and closes every port (XDP detached). Idempotent. */
  stop(): void {
    if (this.closed) return;
    this.dp.stop();
  }

  running(): boolean {
    return !this.closed && this.dp.running();
  }

  /** Driver statistics per (port, queue); [] when not running. Costs a syscall per socket. */
  socketStats(): LiveSocketStats[] {
    this.assertOpen();
    return this.dp.socketStats();
  }

  /** Buffers not back in the workers' pools at the last stop() (0: none lost). */
  missingBuffers(): number {
    this.assertOpen();
    return this.dp.missingBuffers();
  }

  /** Stops the workers if they run, then frees the dataplane. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.dp.close();
  }

  private assertOpen(): void {
    if (this.closed) throw new DataplaneError('dataplane closed');
  }
}
