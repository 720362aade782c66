/**
 * Shared by the live tests: a lab made for one test (namespaces and veths
 * named with the test's prefix, always removed, swept before), the lab
 * configuration with a chosen driver, and a supervisor running it with its
 * dataplane process inside the lab's cix namespace.
 */
import * as path from 'node:path';

import test, { type ExecutionContext } from 'ava';

import { checkSchema, findProjectRoot, loadConfigFile, type Config } from '../../src/config';
import { listNetns, sweep } from '../../src/lab/netns';
import { labDown, labNames, labUp, linkInfo, type Lab } from '../../src/lab/topology';
import type { Tag } from '../../src/lab/traffic';
import type { ApplianceEvent } from '../../src/supervisor/api';
import { Supervisor } from '../../src/supervisor/supervisor';

export const isRoot = process.getuid?.() === 0;
/** Serial: live tests move real frames on 2 shared cores; skipped (not failed) without root. */
export const live = isRoot ? test.serial : test.serial.skip;

export const LAB_CONFIG = path.join(findProjectRoot(), 'examples', 'lab.yaml');

export const C200: Tag = [0x8100, 200, 0, 0];
export const S100: Tag = [0x88a8, 100, 0, 0];
export const C300: Tag = [0x8100, 300, 0, 0];
export const BACK = { src: '02:00:5e:10:00:02', dst: '02:00:5e:10:00:01' };

export type LiveMode = { driver: 'afxdp'; xdpMode: 'native' | 'skb' } | { driver: 'afpacket' };

/** examples/lab.yaml with every port on the given driver (and XDP mode). */
export async function labConfig(mode: LiveMode, edit: (doc: Record<string, unknown>) => void = () => undefined): Promise<Config> {
  const loaded = await loadConfigFile(LAB_CONFIG);
  const doc = JSON.parse(JSON.stringify(loaded.source)) as { ports: Record<string, unknown>[] } & Record<string, unknown>;
  for (const p of doc.ports) {
    p.driver = mode.driver;
    p.xdpMode = mode.driver === 'afxdp' ? mode.xdpMode : 'XDP_MODE_UNSPECIFIED';
  }
  edit(doc);
  const r = checkSchema(doc);
  if (r.issues.length > 0) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

/** Sweeps what a crashed earlier run of this prefix left, before the first test of a file. */
export function sweepBefore(prefix: string): void {
  test.before(async () => {
    if (isRoot) await sweep(prefix);
  });
  test.after.always(async () => {
    if (isRoot) await sweep(prefix);
  });
}

export interface LiveRig {
  lab: Lab;
  sup: Supervisor;
  events: ApplianceEvent[];
  logs: string[];
}

/**
 * A lab named `prefix` and a supervisor running `config` in it; both are
 * removed when the test ends, pass or fail, and the test fails if anything
 * of the lab is left. `prepare` changes the lab before cix starts (MTUs).
 */
export async function startLab(t: ExecutionContext, prefix: string, config: Config, prepare: (lab: Lab) => void = () => undefined): Promise<LiveRig> {
  const lab = labNames(prefix);
  await labDown(lab);
  const logs: string[] = [];
  const sup = new Supervisor({ netns: lab.namespaces.cix, log: (l) => logs.push(l) });
  t.teardown(async () => {
    await sup.close().catch(() => undefined);
    await labDown(lab);
    const left = listNetns().filter((n) => n.startsWith(`${prefix}-`));
    if (left.length > 0) throw new Error(`left behind: ${left.join(', ')}`);
  });
  await labUp(lab);
  prepare(lab);
  const events: ApplianceEvent[] = [];
  sup.onEvent((e) => events.push(e));
  await sup.apply(config, 1);
  return { lab, sup, events, logs };
}

/** After close: no XDP program on the lab's cix ports and no address cix added. */
export async function assertReleased(t: ExecutionContext, lab: Lab): Promise<void> {
  for (const end of [lab.cixCust, lab.cixCloud]) {
    const info = await linkInfo(end);
    t.is(info.xdpMode, undefined, `${end.iface}: XDP program ${info.xdpProgram} still attached`);
    t.deepEqual(info.addresses, [], `${end.iface}: addresses left`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
