/** Shared helpers of the management tests (not a test file itself). */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { configFromValue, type Config } from '../../src/config';
import { ManagementClient, TokenStore, startManagementServer, type ManagementServer, type ManagementServerOptions, type Role } from '../../src/mgmt';
import type {
  ApplianceEvent,
  ApplianceView,
  AttachmentState,
  ConfigApplier,
  CounterValues,
  OperationalState,
  PortState,
} from '../../src/supervisor/api';
import { ConfigStore, TransactionManager } from '../../src/txn';
import { tempDir } from '../helpers/cli';

export const DROP_REASONS = ['truncated', 'too_many_tags', 'tpid_mismatch', 'no_attachment', 'no_service', 'mtu_rx', 'mtu_tx', 'no_headroom', 'tx_full', 'port_down',
  'rx_no_buffer', 'rx_ring_full', 'rx_invalid'];

/** A valid configuration: two ports, two attachments, one xconnect. */
export function baseDoc(): Record<string, unknown> {
  return {
    ports: [{ name: 'cust0' }, { name: 'cloud0', mtu: 9000 }],
    attachments: [
      { name: 'cust-a', port: 'cust0', vlan: { outer: { vid: 200 } } },
      { name: 'cloud-a', port: 'cloud0', vlan: { outer: { vid: 100 }, inner: { vid: 200 } } },
    ],
    services: [{ name: 'xc-a', xconnect: { endpoints: ['cust-a', 'cloud-a'] } }],
  };
}

export function checked(doc: unknown): Config {
  return configFromValue(doc).source;
}

function zeroCounters(): CounterValues {
  const drops: Record<string, bigint> = {};
  for (const r of DROP_REASONS) drops[r] = 0n;
  return { rxPackets: 0n, rxBytes: 0n, txPackets: 0n, txBytes: 0n, drops };
}

/**
 * An ApplianceView stand-in: ports and attachments whose counters only go
 * up (bump), link states, and events emitted on demand. state() is called
 * by the server; `stateCalls` counts how often.
 */
export class FakeView implements ApplianceView {
  revision = 1;
  ports: PortState[] = [];
  attachments: AttachmentState[] = [];
  stateCalls = 0;
  private readonly listeners = new Set<(e: ApplianceEvent) => void>();

  constructor(portNames: string[] = ['cust0', 'cloud0'], attachmentNames: string[] = ['cust-a', 'cloud-a']) {
    this.ports = portNames.map((name) => ({ name, interface: `veth-${name}`, driver: 'afxdp', mode: 'skb', link: 'up', counters: zeroCounters() }));
    this.attachments = attachmentNames.map((name, i) => ({
      name,
      port: portNames[i % portNames.length]!,
      service: 'xc-a',
      counters: zeroCounters(),
    }));
  }

  /** Adds traffic to every object (counters never go backwards). */
  bump(packets = 10n, bytes = 1000n, drops: Record<string, bigint> = { no_attachment: 1n }): void {
    const add = (c: CounterValues): void => {
      c.rxPackets += packets;
      c.rxBytes += bytes;
      c.txPackets += packets;
      c.txBytes += bytes;
      for (const [r, n] of Object.entries(drops)) c.drops[r] = (c.drops[r] ?? 0n) + n;
    };
    for (const p of this.ports) add(p.counters);
    for (const a of this.attachments) add(a.counters);
  }

  state(): OperationalState {
    this.stateCalls++;
    const drops: Record<string, bigint> = {};
    for (const r of DROP_REASONS) drops[r] = 0n;
    for (const p of this.ports) for (const [r, n] of Object.entries(p.counters.drops)) drops[r] = (drops[r] ?? 0n) + n;
    const copy = (c: CounterValues): CounterValues => ({ ...c, drops: { ...c.drops } });
    return {
      revision: this.revision,
      dataplane: { state: 'running', pid: 4242, restarts: 0, startedAt: 1_700_000_000_000, workers: 2 },
      ports: this.ports.map((p) => ({ ...p, counters: copy(p.counters) })),
      attachments: this.attachments.map((a) => ({ ...a, counters: copy(a.counters) })),
      services: [{ name: 'xc-a', kind: 'xconnect', endpoints: ['cust-a', 'cloud-a'] }],
      drops,
      at: Date.now(),
    };
  }

  onEvent(listener: (e: ApplianceEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get listenerCount(): number {
    return this.listeners.size;
  }

  emit(e: ApplianceEvent): void {
    for (const l of this.listeners) l(e);
  }
}

/** Records applies; never refuses; can be slow. */
export class RecordingApplier implements ConfigApplier {
  readonly revisions: number[] = [];
  delayMs = 0;
  /** Applies begun (a slow one is counted before it ends). */
  started = 0;
  async apply(_config: Config, revision: number): Promise<void> {
    this.started++;
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    this.revisions.push(revision);
  }
}

type Teardown = { teardown(fn: () => void | Promise<void>): void };

export interface Rig {
  dir: string;
  server: ManagementServer;
  url: string;
  tokens: TokenStore;
  /** The bootstrap admin token (from admin.token). */
  adminToken: string;
  view: FakeView;
  store: ConfigStore;
  txn: TransactionManager;
  applier: RecordingApplier;
  /** Every line the server logged. */
  logs: string[];
  /** A token of the given role (made in the store directly). */
  token(role: Role, user?: string, ttlSeconds?: number): Promise<string>;
  /** A connected client, closed when the test ends. */
  client(token?: string): Promise<ManagementClient>;
}

/** A fresh state directory, real store + TransactionManager, fake view, a server on an ephemeral port. */
export async function rig(
  t: Teardown,
  opts: { view?: FakeView; server?: Partial<ManagementServerOptions>; dir?: string; now?: () => number; initial?: Config } = {},
): Promise<Rig> {
  const dir = opts.dir ?? tempDir(t, 'cix-mgmt-');
  const tokens = await TokenStore.open(dir, opts.now ? { now: opts.now } : {});
  const adminToken = fs.readFileSync(path.join(dir, 'admin.token'), 'utf8').trim();
  const store = await ConfigStore.open(dir, { config: opts.initial ?? checked(baseDoc()), user: 'setup', comment: 'initial' });
  const applier = new RecordingApplier();
  const txn = new TransactionManager(store, applier, { onError: () => undefined });
  await txn.start();
  const view = opts.view ?? new FakeView();
  const logs: string[] = [];
  const server = await startManagementServer({
    txn,
    store,
    view,
    tokens,
    stateDir: dir,
    listen: { host: '127.0.0.1', port: 0 },
    log: (level, m) => logs.push(`${level}: ${m}`),
    ...opts.server,
  });
  const clients: ManagementClient[] = [];
  // Teardowns run last-registered first: clients, then server, then txn.
  t.teardown(() => txn.close());
  t.teardown(() => server.close());
  t.teardown(async () => {
    await Promise.all(clients.map((c) => c.close()));
  });
  return {
    dir,
    server,
    url: server.url,
    tokens,
    adminToken,
    view,
    store,
    txn,
    applier,
    logs,
    token: async (role, user = `${role}-user`, ttlSeconds = 0) => (await tokens.create({ user, role, ttlSeconds })).token,
    client: async (token = adminToken) => {
      const c = await ManagementClient.connect({ url: server.url, token });
      clients.push(c);
      return c;
    },
  };
}

/** Resolves when `cond` holds, polling; rejects after `ms`. */
export async function until(cond: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
