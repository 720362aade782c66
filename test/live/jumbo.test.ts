/**
 * Jumbo frames through cix on each live driver and XDP mode: veths with a
 * 9216-byte MTU, ports with a 9000-byte MTU. Frames around the 3840-byte
 * line where one AF_XDP chunk ends (one chunk, two chunks) and at the MTU
 * itself cross both ways byte for byte with their tags pushed and popped;
 * one byte over the MTU is dropped under mtu_rx, and a 1500-byte port
 * facing a 9000-byte one drops what it cannot carry under mtu_tx until its
 * MTU is raised, which is a table swap in the running process.
 */
import { execFileSync } from 'node:child_process';

import type { ExecutionContext } from 'ava';

import { checkFlows, flow } from '../../src/lab/traffic';
import type { Config } from '../../src/config';
import { assertReleased, BACK, C300, labConfig, live, S100, startLab, sweepBefore, type LiveMode, type LiveRig } from './helpers';

const PREFIX = 'cxlj';
sweepBefore(PREFIX);

const VETH_MTU = 9216;
const PORT_MTU = 9000;
/** UDP payload that makes an IPv4 packet of exactly the port MTU (20 + 8 of headers). */
const AT_MTU = PORT_MTU - 28;
/** Untagged frame of 3840 bytes (one chunk) and 3841 (two): 14 + 28 + size. */
const ONE_CHUNK = 3840 - 42;

const MODES: [string, LiveMode, string][] = [
  ['afxdp native (DRV)', { driver: 'afxdp', xdpMode: 'native' }, 'native/copy'],
  ['afxdp generic (SKB)', { driver: 'afxdp', xdpMode: 'skb' }, 'skb/copy'],
  ['afpacket', { driver: 'afpacket' }, 'tpacket-v3'],
];

/** The lab with every veth end at VETH_MTU, then cix started on it. */
async function jumboLab(t: ExecutionContext, prefix: string, config: Config): Promise<LiveRig> {
  return startLab(t, prefix, config, (lab) => {
    for (const e of [lab.custHost, lab.cixCust, lab.cixCloud, lab.cloudHost]) {
      execFileSync('ip', ['-n', e.netns, 'link', 'set', 'dev', e.iface, 'mtu', String(VETH_MTU)], { timeout: 10_000 });
    }
  });
}

function withMtus(cust: number, cloud: number) {
  return (doc: Record<string, unknown>): void => {
    const ports = doc.ports as Record<string, unknown>[];
    ports[0]!.mtu = cust;
    ports[1]!.mtu = cloud;
  };
}

MODES.forEach(([title, mode, expectedMode], i) => {
  live(`${title}: jumbo frames cross both ways byte for byte, one byte over the MTU is dropped (mtu_rx)`, async (t) => {
    t.timeout(90_000);
    const { lab, sup } = await jumboLab(t, `${PREFIX}${i}`, await labConfig(mode, withMtus(PORT_MTU, PORT_MTU)));
    t.deepEqual(sup.state().ports.map((p) => [p.name, p.mode]), [['cust0', expectedMode], ['cloud0', expectedMode]]);

    const report = await checkFlows([
      flow('untagged 3840 B -> C300', lab.custHost, lab.cloudHost, [], [C300], { count: 3, size: ONE_CHUNK }),
      flow('untagged 3841 B -> C300', lab.custHost, lab.cloudHost, [], [C300], { count: 3, size: ONE_CHUNK + 1 }),
      flow('untagged at the MTU -> C300', lab.custHost, lab.cloudHost, [], [C300], { count: 3, size: AT_MTU }),
      flow('C300 at the MTU -> untagged', lab.cloudHost, lab.custHost, [C300], [], { ...BACK, count: 3, size: AT_MTU }),
      // Q-in-Q push and pop at the MTU: 9022-byte frames on the cloud side.
      flow('C200 -> S100+C200 at the MTU', lab.custHost, lab.cloudHost, [[0x8100, 200, 5, 0]], [[0x88a8, 100, 5, 0], [0x8100, 200, 5, 0]], { count: 3, size: AT_MTU }),
      flow('S100+C200 -> C200 at the MTU', lab.cloudHost, lab.custHost, [S100, [0x8100, 200, 3, 0]], [[0x8100, 200, 3, 0]], { ...BACK, count: 3, size: AT_MTU }),
      flow('small frames between them', lab.custHost, lab.cloudHost, [], [C300], { count: 3, size: 32 }),
    ]);
    for (const f of report.flows) {
      t.is(f.received, f.sent, `${f.name}: ${f.received} of ${f.sent} arrived`);
      t.is(f.equal, f.sent, `${f.name}: not byte for byte: ${JSON.stringify(f.mismatches).slice(0, 400)}`);
    }
    t.deepEqual(report.strays, []);

    const over = await checkFlows([flow('untagged, MTU + 1', lab.custHost, lab.cloudHost, [], [C300], { count: 2, size: AT_MTU + 1 })], { linger: 0.5 });
    t.is(over.flows[0]!.received, 0);
    const s = sup.state();
    t.is(s.drops.mtu_rx, 2n);
    t.is(s.attachments.find((a) => a.name === 'cust-u-cloud')!.counters.txPackets, 12n);

    await sup.close();
    await assertReleased(t, lab);
  });
});

live('a 1500-byte port facing a 9000-byte one: what it cannot carry is dropped under mtu_tx; raising its MTU needs no restart', async (t) => {
  t.timeout(90_000);
  const { lab, sup } = await jumboLab(t, `${PREFIX}9`, await labConfig({ driver: 'afxdp', xdpMode: 'native' }, withMtus(PORT_MTU, 1500)));
  const report = await checkFlows([
    flow('untagged 1500 B packets -> C300', lab.custHost, lab.cloudHost, [], [C300], { count: 3, size: 1500 - 28 }),
    flow('untagged 4000 B packets', lab.custHost, lab.cloudHost, [], [C300], { count: 2, size: 4000 - 28 }),
  ], { linger: 0.5 });
  t.is(report.flows[0]!.equal, 3, JSON.stringify(report.flows[0]));
  t.is(report.flows[1]!.received, 0);
  t.is(sup.state().drops.mtu_tx, 2n);

  // Raising the MTU is a table swap: the same dataplane process carries them now.
  const pid = sup.state().dataplane.pid;
  await sup.apply(await labConfig({ driver: 'afxdp', xdpMode: 'native' }, withMtus(PORT_MTU, PORT_MTU)), 2);
  t.is(sup.state().dataplane.pid, pid, 'not restarted');
  const after = await checkFlows([flow('untagged 4000 B packets', lab.custHost, lab.cloudHost, [], [C300], { count: 2, size: 4000 - 28 })]);
  t.is(after.flows[0]!.equal, 2, JSON.stringify(after.flows[0]));
  await sup.close();
  await assertReleased(t, lab);
});
