/** Shared helpers of the transaction tests (not a test file itself). */
import { configFromValue, type Config } from '../../src/config';
import type { ConfigApplier } from '../../src/supervisor/api';
import { ConfigStore, TransactionManager, type ManagerOptions, type Principal, type StoreOptions } from '../../src/txn';
import { tempDir } from '../helpers/cli';

export const alice: Principal = { user: 'alice', role: 'operator', remote: '127.0.0.1:40001' };
export const bob: Principal = { user: 'bob', role: 'operator', remote: '127.0.0.1:40002' };

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

/** A document as the store keeps it (checked, proto3 JSON form). */
export function checked(doc: unknown): Config {
  return configFromValue(doc).source;
}

export interface ApplyCall {
  config: Config;
  revision: number;
}

/**
 * A data plane stand-in: records every apply (the only thing a commit may
 * ask of it: swapping tables, never a restart), can refuse, can be slow, and
 * counts how many applies ever ran at once.
 */
export class FakeApplier implements ConfigApplier {
  readonly calls: ApplyCall[] = [];
  delayMs = 0;
  /** Refuse the applies this returns true for. */
  refuse: (config: Config, revision: number) => boolean = () => false;
  private active = 0;
  maxActive = 0;

  async apply(config: Config, revision: number): Promise<void> {
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
      if (this.refuse(config, revision)) throw new Error(`injected: data plane refuses revision ${revision}`);
      this.calls.push({ config: JSON.parse(JSON.stringify(config)) as Config, revision });
    } finally {
      this.active--;
    }
  }
}

export interface Rig {
  dir: string;
  store: ConfigStore;
  manager: TransactionManager;
  applier: FakeApplier;
  errors: Error[];
}

type Teardown = { teardown(fn: () => void | Promise<void>): void };

/** A fresh state directory, store (revision 1 = baseDoc) and started manager, closed when the test ends. */
export async function rig(
  t: Teardown,
  opts: { store?: StoreOptions; manager?: ManagerOptions; dir?: string; initial?: Config } = {},
): Promise<Rig> {
  const dir = opts.dir ?? tempDir(t, 'cix-txn-');
  const store = await ConfigStore.open(dir, { config: opts.initial ?? checked(baseDoc()), user: 'setup', comment: 'initial' }, opts.store);
  const applier = new FakeApplier();
  const errors: Error[] = [];
  const manager = new TransactionManager(store, applier, { onError: (e) => errors.push(e), ...opts.manager });
  t.teardown(() => manager.close());
  await manager.start();
  return { dir, store, manager, applier, errors };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `cond` every 20 ms until it holds or `ms` pass; returns whether it held. */
export async function waitFor(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await sleep(20);
  }
  return cond();
}
