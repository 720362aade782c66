/**
 * The supervisor: runs the fast path in a dataplane process, puts
 * configurations into it all or nothing, restarts it when it dies, and is
 * what management and metrics see (ApplianceView, ConfigApplier).
 *
 * Every change to the process (apply, restart after a death, close) runs
 * through one queue, so they never interleave. A configuration whose tables
 * alone changed is published as one epoch in the running process (no
 * restart, no loss); one that changes ports, drivers, addresses or workers
 * stops the process and starts a new one with the new spec, and brings the
 * previous spec back if that fails. Counters are read in place from the
 * process's counter file and kept monotonic by CounterBook.
 */
import {
  ConfigError,
  MAX_ATTACHMENTS,
  MAX_PORTS,
  hostFacts,
  normalizeConfig,
  validateConfig,
  validateLive,
  type Config,
  type ConfigIssue,
  type HostFacts,
  type NormalizedConfig,
} from '../config';
import { buildPlan, PlanCapacityError } from '../dataplane/plan';
import type { TablesPlan } from '../native/plan';
import type {
  ApplianceEvent,
  ApplianceView,
  AttachmentState,
  ConfigApplier,
  DataplaneRunState,
  OperationalState,
  PortState,
} from './api';
import { CounterBook, type CounterSource } from './counter_book';
import { ShmCounterFiles, type CounterFiles } from './counter_files';
import {
  DataplaneProcess,
  DEFAULT_TIMEOUTS,
  describeExit,
  forkDataplane,
  type ChildLauncher,
  type ExitInfo,
  type ProcessTimeouts,
} from './dataplane_process';
import { SupervisorError } from './errors';
import { LinkMonitor } from './link_monitor';
import type { LivePortStatus } from '../native/binding';
import { IpNetControl, type NetControl } from './netif';
import { PortAddresses, type AddressPlan } from './port_addresses';
import { DEFAULT_RESTART_POLICY, RestartPolicy, type RestartPolicyOptions } from './restart_policy';
import { buildRunSpec, sameProcessSpec, type ProcessSpec } from './run_spec';

export interface SupervisorOptions {
  /** Run the dataplane process inside this network namespace (/run/netns/NAME). */
  netns?: string;
  /** Attachment capacity of the fast path (ids, counters); default the most the fast path holds. */
  maxAttachments?: number;
  launcher?: ChildLauncher;
  counterFiles?: CounterFiles;
  net?: NetControl;
  restartPolicy?: RestartPolicyOptions;
  timeouts?: ProcessTimeouts;
  /** How often link states are read (ms); 0 = never (tests). */
  linkPollMs?: number;
  host?: HostFacts;
  /**
   * A file (in the state directory) that remembers which addresses cix put on
   * interfaces, so that a start after kill -9 still removes them in time.
   */
  addressJournal?: string;
  /** One line per thing worth telling an operator (restarts, failures). */
  log?: (line: string) => void;
  now?: () => number;
}

/** The configuration the fast path runs. */
interface Running {
  config: NormalizedConfig;
  plan: TablesPlan;
  revision: number;
  process: ProcessSpec;
  addresses: AddressPlan;
}

/** One dataplane process and what the supervisor knows of it. */
interface Generation {
  proc: DataplaneProcess;
  countersFile: string;
  ports: LivePortStatus[];
  startedAt: number;
  /** Set before a planned stop, so that its exit is not taken for a death. */
  stopping: boolean;
}

function addressPlan(cfg: NormalizedConfig): AddressPlan {
  const plan = new Map<string, string[]>();
  for (const p of cfg.ports) {
    if (p.interface !== undefined && p.addresses.length > 0) {
      plan.set(p.interface, p.addresses.map((a) => `${a.address}/${a.prefixLength}`));
    }
  }
  return plan;
}

/** How a port really runs, from the process's port status: 'native/copy', 'skb/copy', 'tpacket-v3'. */
function portMode(status: LivePortStatus | undefined): string {
  if (status === undefined) return 'none';
  const sockets = [...new Set(status.sockets.map((s) => s.mode))].filter((m) => m !== status.mode);
  return sockets.length > 0 ? `${status.mode}/${sockets.join('+')}` : status.mode;
}

export class Supervisor implements ApplianceView, ConfigApplier {
  private readonly launcher: ChildLauncher;
  private readonly counterFiles: CounterFiles;
  private readonly net: NetControl;
  private readonly timeouts: ProcessTimeouts;
  private readonly host: HostFacts;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private readonly maxAttachments: number;
  private readonly policy: RestartPolicy;
  private readonly book: CounterBook;
  private readonly addresses: PortAddresses;
  private readonly links: LinkMonitor;
  private readonly listeners = new Set<(e: ApplianceEvent) => void>();

  private running: Running | undefined;
  private gen: Generation | undefined;
  private runState: DataplaneRunState = 'stopped';
  private restarts = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private recoveryTimer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly opts: SupervisorOptions = {}) {
    this.launcher = opts.launcher ?? forkDataplane;
    this.counterFiles = opts.counterFiles ?? new ShmCounterFiles();
    this.net = opts.net ?? new IpNetControl(opts.netns);
    this.timeouts = opts.timeouts ?? DEFAULT_TIMEOUTS;
    this.host = opts.host ?? hostFacts();
    this.log = opts.log ?? ((line) => process.stderr.write(`cix: ${line}\n`));
    this.now = opts.now ?? Date.now;
    this.maxAttachments = opts.maxAttachments ?? MAX_ATTACHMENTS;
    this.policy = new RestartPolicy(opts.restartPolicy ?? DEFAULT_RESTART_POLICY);
    this.book = new CounterBook(this.counterFiles.reasons());
    this.addresses = new PortAddresses(this.net, opts.addressJournal === undefined ? undefined : { file: opts.addressJournal, netns: opts.netns }, this.log);
    this.links = new LinkMonitor(this.net, (port, link) => this.emit({ kind: 'link', port, link, at: this.now() }), opts.linkPollMs || 1_000);
    if (opts.linkPollMs !== 0) this.links.start();
  }

  // ---- ConfigApplier ----

  apply(config: Config, revision: number): Promise<void> {
    if (this.closing) return Promise.reject(new SupervisorError('CIX_SUPERVISOR_CLOSED', 'the supervisor is closed'));
    return this.serial(async () => {
      if (this.closing) throw new SupervisorError('CIX_SUPERVISOR_CLOSED', 'the supervisor is closed');
      const next = this.prepare(config, revision);
      const gen = this.gen;
      if (gen !== undefined && gen.proc.alive && this.running !== undefined && sameProcessSpec(this.running.process, next.process)) {
        const prepared = this.book.prepare(next.plan);
        await gen.proc.apply(next.plan, revision);
        this.book.commit(prepared);
        this.setRunning(next);
        return;
      }
      await this.switchTo(next);
    });
  }

  /** Issues validateConfig and validateLive find in `config`; [] when apply would take it. */
  check(config: Config): ConfigIssue[] {
    const { errors } = validateConfig(config);
    return errors.length > 0 ? errors : validateLive(config, this.host);
  }

  // ---- ApplianceView ----

  state(): OperationalState {
    const r = this.running;
    const gen = this.gen;
    const statusById = new Map((gen?.ports ?? []).map((s) => [s.id, s]));
    const portIds = new Map((r?.plan.ports ?? []).map((p) => [p.name, p.id]));
    const ports: PortState[] = (r?.config.ports ?? []).map((p) => ({
      name: p.name,
      interface: p.interface,
      driver: p.driver,
      mode: portMode(statusById.get(portIds.get(p.name) ?? -1)),
      link: this.links.state(p.name),
      counters: this.book.value('port', p.name),
    }));
    const serviceOf = new Map<string, string>();
    for (const s of r?.config.services ?? []) for (const e of s.endpoints) serviceOf.set(e, s.name);
    const attachments: AttachmentState[] = (r?.config.attachments ?? []).map((a) => ({
      name: a.name,
      port: a.port,
      service: serviceOf.get(a.name),
      counters: this.book.value('attachment', a.name),
    }));
    return {
      revision: r?.revision ?? 0,
      dataplane: {
        state: this.runState,
        pid: gen?.proc.pid,
        restarts: this.restarts,
        startedAt: gen?.startedAt,
        workers: r?.config.dataplane.workers ?? 0,
      },
      ports,
      attachments,
      services: (r?.config.services ?? []).map((s) => ({ name: s.name, kind: s.kind, endpoints: [...s.endpoints] })),
      drops: this.book.dropTotals(),
      at: this.now(),
    };
  }

  onEvent(listener: (e: ApplianceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops the dataplane process in order (workers, sockets, UMEMs, XDP),
   * removes the addresses cix added and its counters file. Idempotent.
   */
  close(): Promise<void> {
    this.closing = true;
    this.cancelRecovery();
    this.links.stop();
    return this.serial(async () => {
      await this.stopGeneration();
      await this.addresses.clear();
      this.runState = 'stopped';
    });
  }

  // ---- internals ----

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private emit(e: ApplianceEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err: unknown) {
        this.log(`event listener failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }

  /** Validated, normalized and planned; throws ConfigError naming the fields, nothing changed. */
  private prepare(config: Config, revision: number): Running {
    const issues = this.check(config);
    if (issues.length > 0) throw new ConfigError(issues);
    const normalized = normalizeConfig(config);
    let plan: TablesPlan;
    try {
      plan = buildPlan(normalized, this.running?.plan, { ports: MAX_PORTS, attachments: this.maxAttachments });
    } catch (err: unknown) {
      if (err instanceof PlanCapacityError) throw new SupervisorError('CIX_DATAPLANE_CAPACITY', err.message, { cause: err });
      throw err;
    }
    return {
      config: normalized,
      plan,
      revision,
      process: { workers: normalized.dataplane.workers, maxAttachments: this.maxAttachments, run: buildRunSpec(normalized, plan) },
      addresses: addressPlan(normalized),
    };
  }

  private setRunning(r: Running): void {
    this.running = r;
    this.links.setPorts(r.config.ports.flatMap((p) => (p.interface === undefined ? [] : [{ name: p.name, interface: p.interface }])));
    if (this.opts.linkPollMs !== 0) void this.links.poll();
  }

  /** Replaces the process with one running `next`; on failure the previous one comes back. */
  private async switchTo(next: Running): Promise<void> {
    const prev = this.running;
    this.cancelRecovery();
    await this.stopGeneration();
    this.runState = prev === undefined ? 'starting' : 'restarting';
    try {
      await this.addresses.sync(next.addresses);
      const started = await this.launch(next);
      this.book.replan(next.plan);
      this.adopt(started, next);
    } catch (err: unknown) {
      this.log(`cannot start the dataplane with revision ${next.revision}: ${err instanceof Error ? err.message : String(err)}`);
      if (prev !== undefined) await this.restore(prev);
      else {
        await this.addresses.sync(new Map()).catch(() => undefined);
        this.runState = 'stopped';
      }
      throw err;
    }
  }

  /** Brings `prev` back after a failed switch; when even that fails, recovery keeps trying. */
  private async restore(prev: Running): Promise<void> {
    try {
      await this.addresses.sync(prev.addresses);
      const started = await this.launch(prev);
      this.adopt(started, prev);
      this.log(`back on revision ${prev.revision}`);
    } catch (err: unknown) {
      this.log(`cannot bring back revision ${prev.revision}: ${err instanceof Error ? err.message : String(err)}; retrying`);
      this.runState = 'restarting';
      this.scheduleRecovery(this.policy.recordDeath(this.now()));
    }
  }

  /** Starts a process for `r` and maps its counters; nothing of the supervisor's state changes. */
  private async launch(r: Running): Promise<{ gen: Generation; source: CounterSource }> {
    for (const p of r.process.run.ports) await this.net.setUp(p.interface);
    const countersFile = this.counterFiles.next();
    let proc: DataplaneProcess;
    try {
      proc = new DataplaneProcess(this.launcher({ netns: this.opts.netns }), this.timeouts);
    } catch (err: unknown) {
      throw new SupervisorError('CIX_DATAPLANE_SPAWN', `cannot start the dataplane process: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const gen: Generation = { proc, countersFile, ports: [], startedAt: this.now(), stopping: false };
    proc.onExit((info) => this.onExit(gen, info));
    try {
      gen.ports = await proc.start({
        workers: r.process.workers,
        maxAttachments: r.process.maxAttachments,
        countersPath: countersFile,
        plan: r.plan,
        revision: r.revision,
        run: r.process.run,
      });
      const source = this.counterFiles.map(countersFile, r.process.workers, r.process.maxAttachments);
      return { gen, source };
    } catch (err: unknown) {
      gen.stopping = true;
      await proc.stop();
      this.counterFiles.remove(countersFile);
      throw err;
    }
  }

  private adopt(started: { gen: Generation; source: CounterSource }, r: Running): void {
    const { gen, source } = started;
    this.book.attach(source);
    this.gen = gen;
    this.setRunning(r);
    this.runState = 'running';
    // It may have died between its ready and now; its exit was ignored then.
    if (!gen.proc.alive) void gen.proc.exited.then((info) => this.onExit(gen, info));
  }

  /** A planned stop of the current process: its counts are folded, its file removed. */
  private async stopGeneration(): Promise<void> {
    const gen = this.gen;
    if (gen === undefined) return;
    gen.stopping = true;
    await gen.proc.stop();
    this.retire(gen);
  }

  private retire(gen: Generation): void {
    if (this.gen !== gen) return;
    this.book.fold();
    this.counterFiles.remove(gen.countersFile);
    this.gen = undefined;
  }

  private onExit(gen: Generation, info: ExitInfo): void {
    if (gen.stopping || this.gen !== gen) return;
    const pid = gen.proc.pid;
    const reason = describeExit(info);
    this.retire(gen);
    if (this.closing) return;
    this.runState = 'restarting';
    const delay = this.policy.recordDeath(this.now());
    const deaths = this.policy.recentDeaths(this.now());
    this.log(`dataplane process ${pid ?? '?'} ${reason}; restarting ${delay > 0 ? `in ${delay} ms` : 'now'} (${deaths} death${deaths === 1 ? '' : 's'} in the last 10 s)`);
    this.emit({ kind: 'dataplane-restart', pid, reason, at: this.now() });
    this.scheduleRecovery(delay);
  }

  private scheduleRecovery(delayMs: number): void {
    if (this.closing || this.recoveryTimer !== undefined) return;
    this.recoveryTimer = setTimeout(() => {
      this.recoveryTimer = undefined;
      void this.serial(() => this.recover());
    }, delayMs);
  }

  private cancelRecovery(): void {
    if (this.recoveryTimer !== undefined) clearTimeout(this.recoveryTimer);
    this.recoveryTimer = undefined;
  }

  /** Starts the running configuration again after a death. */
  private async recover(): Promise<void> {
    const r = this.running;
    if (this.closing || r === undefined || this.gen !== undefined) return;
    try {
      await this.addresses.sync(r.addresses);
      const started = await this.launch(r);
      this.adopt(started, r);
      this.restarts += 1;
      this.log(`dataplane process ${started.gen.proc.pid ?? '?'} runs revision ${r.revision} again`);
    } catch (err: unknown) {
      const delay = this.policy.recordDeath(this.now());
      this.log(`restart failed: ${err instanceof Error ? err.message : String(err)}; next try in ${delay} ms`);
      this.scheduleRecovery(delay);
    }
  }
}
