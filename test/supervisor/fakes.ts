/**
 * In-process stand-ins for what the supervisor drives, so that its logic
 * (apply, restart, counters, addresses, links) is tested without the addon,
 * root or interfaces: a fake dataplane process that speaks the IPC protocol,
 * counter blocks in memory, and a NetControl that records what it was asked.
 */
import type { CounterValues, LinkState } from '../../src/supervisor/api';
import type { CounterSource, ObjectKind } from '../../src/supervisor/counter_book';
import { zeroCounters } from '../../src/supervisor/counter_book';
import type { CounterFiles } from '../../src/supervisor/counter_files';
import type { ChildHandle, ChildLauncher, ExitInfo, LaunchOptions } from '../../src/supervisor/dataplane_process';
import type { ChildMessage, ChildStartSpec, SupervisorMessage } from '../../src/supervisor/ipc';
import type { NetControl } from '../../src/supervisor/netif';
import type { TablesPlan } from '../../src/native/plan';

export const REASONS = ['truncated', 'no_attachment', 'tx_full'];

/** One counter block: what a dataplane process's workers would write. */
export class FakeBlock {
  readonly values = new Map<string, CounterValues>();

  add(kind: ObjectKind, id: number, packets: number, drops: Record<string, number> = {}): void {
    const key = `${kind}:${id}`;
    const v = this.values.get(key) ?? zeroCounters(REASONS);
    const d = { ...v.drops };
    for (const [r, n] of Object.entries(drops)) d[r] = (d[r] ?? 0n) + BigInt(n);
    this.values.set(key, {
      rxPackets: v.rxPackets + BigInt(packets),
      rxBytes: v.rxBytes + BigInt(packets * 100),
      txPackets: v.txPackets + BigInt(packets),
      txBytes: v.txBytes + BigInt(packets * 100),
      drops: d,
    });
  }

  read(kind: ObjectKind, id: number): CounterValues {
    return this.values.get(`${kind}:${id}`) ?? zeroCounters(REASONS);
  }
}

export class FakeCounterFiles implements CounterFiles {
  readonly blocks = new Map<string, FakeBlock>();
  readonly removed: string[] = [];
  private n = 0;

  reasons(): string[] {
    return [...REASONS];
  }

  next(): string {
    this.n += 1;
    return `/fake/cix-test-${this.n}`;
  }

  create(file: string): FakeBlock {
    const b = new FakeBlock();
    this.blocks.set(file, b);
    return b;
  }

  map(file: string): CounterSource {
    const b = this.blocks.get(file);
    if (b === undefined) throw new Error(`no counters file ${file}`);
    return { read: (kind, id) => b.read(kind, id), close: () => undefined };
  }

  remove(file: string): void {
    this.removed.push(file);
  }
}

export interface FakeBehaviour {
  /** Interfaces that fail to open (the start reply is an error naming them). */
  badInterfaces: Set<string>;
  /** Tables that are refused (apply error) when they hold an attachment of this name. */
  refuseAttachment: string | undefined;
  /** Answer nothing to start (a hung process). */
  hangOnStart: boolean;
}

let nextPid = 90_000;

/** A dataplane process that answers like src/dataplane/child.ts, in memory. */
export class FakeChild implements ChildHandle {
  readonly pid = nextPid++;
  readonly received: SupervisorMessage[] = [];
  spec: ChildStartSpec | undefined;
  plan: TablesPlan | undefined;
  block: FakeBlock | undefined;
  exitInfo: ExitInfo | undefined;
  private messageListeners: ((m: unknown) => void)[] = [];
  private exitListeners: ((i: ExitInfo) => void)[] = [];

  constructor(
    readonly launch: LaunchOptions,
    private readonly files: FakeCounterFiles,
    private readonly behaviour: FakeBehaviour,
  ) {}

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  send(msg: SupervisorMessage): boolean {
    if (this.exitInfo !== undefined) return false;
    this.received.push(msg);
    setImmediate(() => this.handle(msg));
    return true;
  }

  onMessage(listener: (msg: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  onExit(listener: (info: ExitInfo) => void): void {
    if (this.exitInfo !== undefined) listener(this.exitInfo);
    else this.exitListeners.push(listener);
  }

  kill(signal: NodeJS.Signals): void {
    this.exit({ code: null, signal });
  }

  /** Counts traffic on a port and its attachment pair as a running fast path would. */
  traffic(packets: number): void {
    const block = this.block;
    const plan = this.plan;
    if (block === undefined || plan === undefined) return;
    for (const p of plan.ports) block.add('port', p.id, packets);
    for (const a of plan.attachments) block.add('attachment', a.id, packets);
  }

  exit(info: ExitInfo): void {
    if (this.exitInfo !== undefined) return;
    this.exitInfo = info;
    setImmediate(() => {
      for (const l of this.exitListeners) l(info);
    });
  }

  private reply(msg: ChildMessage): void {
    for (const l of this.messageListeners) l(msg);
  }

  private handle(msg: SupervisorMessage): void {
    if (this.exitInfo !== undefined) return;
    switch (msg.type) {
      case 'start': {
        if (this.behaviour.hangOnStart) return;
        this.block = this.files.create(msg.spec.countersPath);
        const bad = msg.spec.run.ports.find((p) => this.behaviour.badInterfaces.has(p.interface));
        if (bad !== undefined) {
          this.reply({ type: 'error', request: 'start', code: 'CHILD_START_FAILED', message: `${bad.name}: cannot open ${bad.interface}: No such device` });
          return;
        }
        this.spec = msg.spec;
        this.plan = msg.spec.plan;
        this.reply({
          type: 'ready',
          pid: this.pid,
          ports: msg.spec.run.ports.map((p) => ({
            id: p.id,
            name: p.name,
            interface: p.interface,
            driver: p.driver,
            mode: p.driver === 'afxdp' ? 'native' : 'tpacket-v3',
            sockets: [{ queue: 0, worker: 0, mode: p.driver === 'afxdp' ? 'copy' : 'tpacket-v3' }],
          })),
        });
        return;
      }
      case 'apply': {
        if (this.behaviour.refuseAttachment !== undefined && msg.plan.attachments.some((a) => a.name === this.behaviour.refuseAttachment)) {
          this.reply({ type: 'error', request: 'apply', code: 'CHILD_PUBLISH_FAILED', message: 'tables refused' });
          return;
        }
        this.plan = msg.plan;
        this.reply({ type: 'applied', revision: msg.revision, generation: 1 });
        return;
      }
      case 'stop':
        this.reply({ type: 'stopped' });
        this.exit({ code: 0, signal: null });
        return;
    }
  }
}

export class FakeLauncher {
  readonly children: FakeChild[] = [];
  readonly behaviour: FakeBehaviour = { badInterfaces: new Set(), refuseAttachment: undefined, hangOnStart: false };

  constructor(readonly files: FakeCounterFiles) {}

  readonly launch: ChildLauncher = (opts) => {
    const c = new FakeChild(opts, this.files, this.behaviour);
    this.children.push(c);
    return c;
  };

  get last(): FakeChild {
    const c = this.children[this.children.length - 1];
    if (c === undefined) throw new Error('no child launched');
    return c;
  }

  alive(): FakeChild[] {
    return this.children.filter((c) => c.alive);
  }
}

/** Interfaces in memory: link states to set, addresses to look at. */
export class FakeNet implements NetControl {
  readonly addrs = new Map<string, Set<string>>();
  readonly links = new Map<string, LinkState>();
  readonly up = new Set<string>();
  readonly log: string[] = [];

  async setUp(ifname: string): Promise<void> {
    this.up.add(ifname);
  }

  async linkStates(ifnames: readonly string[]): Promise<Map<string, LinkState>> {
    return new Map(ifnames.map((n) => [n, this.links.get(n) ?? 'unknown']));
  }

  async addresses(ifname: string): Promise<string[]> {
    return [...(this.addrs.get(ifname) ?? [])];
  }

  async addAddress(ifname: string, cidr: string): Promise<void> {
    this.log.push(`add ${ifname} ${cidr}`);
    let s = this.addrs.get(ifname);
    if (s === undefined) this.addrs.set(ifname, (s = new Set()));
    s.add(cidr);
  }

  async delAddress(ifname: string, cidr: string): Promise<void> {
    this.log.push(`del ${ifname} ${cidr}`);
    this.addrs.get(ifname)?.delete(cidr);
  }
}

/** Polls `cond` every few ms until it holds; fails after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
