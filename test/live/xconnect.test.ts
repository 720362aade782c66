/**
 * cix between two network namespaces, on each live driver and XDP mode:
 * frames sent with scapy from the customer namespace arrive in the cloud
 * namespace with the tags examples/lab.yaml says, byte for byte, and back;
 * ARP and ping for the appliance's own address are answered by the kernel
 * behind cix while tagged data crosses; stopping releases XDP and addresses.
 */
import { checkFlows, flow, probe, startStream } from '../../src/lab/traffic';
import { CIX_CUST_ADDRESS } from '../../src/lab/topology';
import { assertReleased, BACK, C200, C300, labConfig, live, S100, startLab, sweepBefore, type LiveMode } from './helpers';

const PREFIX = 'cxla';
sweepBefore(PREFIX);

const MODES: [string, LiveMode, string][] = [
  ['afxdp native (DRV)', { driver: 'afxdp', xdpMode: 'native' }, 'native/copy'],
  ['afxdp generic (SKB)', { driver: 'afxdp', xdpMode: 'skb' }, 'skb/copy'],
  ['afpacket', { driver: 'afpacket' }, 'tpacket-v3'],
];

MODES.forEach(([title, mode, expectedMode], i) => {
  live(`${title}: tagged and untagged frames cross both ways with the configured tags, byte for byte`, async (t) => {
    t.timeout(90_000);
    const { lab, sup } = await startLab(t, `${PREFIX}${i}`, await labConfig(mode));
    t.deepEqual(
      sup.state().ports.map((p) => [p.name, p.driver, p.mode]),
      [
        ['cust0', mode.driver, expectedMode],
        ['cloud0', mode.driver, expectedMode],
      ],
    );

    const report = await checkFlows([
      // Q-in-Q push: the customer's PCP 5 is kept on both tags (no pcp in the config).
      flow('C200 -> S100+C200', lab.custHost, lab.cloudHost, [[0x8100, 200, 5, 0]], [[0x88a8, 100, 5, 0], [0x8100, 200, 5, 0]], { count: 4 }),
      flow('S100+C200 -> C200', lab.cloudHost, lab.custHost, [[0x88a8, 100, 2, 0], [0x8100, 200, 3, 1]], [[0x8100, 200, 3, 1]], { ...BACK, count: 4 }),
      flow('untagged -> C300', lab.custHost, lab.cloudHost, [], [C300], { count: 4, size: 200 }),
      flow('C300 -> untagged', lab.cloudHost, lab.custHost, [C300], [], { ...BACK, count: 4 }),
    ]);
    for (const f of report.flows) {
      t.is(f.received, f.sent, `${f.name}: ${f.received} of ${f.sent} arrived`);
      t.is(f.equal, f.sent, `${f.name}: not byte for byte: ${JSON.stringify(f.mismatches)}`);
    }
    t.deepEqual(report.strays, []);

    // The fast path counted what crossed; a frame nobody claims is dropped under its reason.
    const stray = await checkFlows([flow('C999 (no attachment)', lab.custHost, lab.cloudHost, [[0x8100, 999, 0, 0]], [[0x8100, 999, 0, 0]], { count: 3 })], { linger: 0.5 });
    t.is(stray.flows[0]!.received, 0);
    const s = sup.state();
    const att = (name: string) => s.attachments.find((a) => a.name === name)!.counters;
    t.is(att('cust-a-edge').rxPackets, 4n);
    t.is(att('cust-a-cloud').txPackets, 4n);
    t.is(att('cust-u-cloud').rxPackets, 4n);
    t.is(s.drops.no_attachment, 3n);

    // Control path: ARP and ping for 192.0.2.1 are answered while C-tagged data keeps crossing.
    const stream = startStream(flow('C200 during ARP/ping', lab.custHost, lab.cloudHost, [C200], [S100, C200]), 300, 150, { flowId: 7 });
    await stream.started;
    const answered = await probe(lab.custHost, '192.0.2.2', CIX_CUST_ADDRESS);
    const data = await stream.result;
    t.not(answered.arp, null, 'ARP for the own address answered');
    t.is(answered.ping, 3, 'every ping answered');
    t.is(data.equal, data.sent, `data during the probe: ${JSON.stringify(data)}`);

    await sup.close();
    t.is(sup.state().dataplane.state, 'stopped');
    await assertReleased(t, lab);
  });
});
