/**
 * Commits on a running appliance. Tables-only changes are published as one
 * epoch in the running dataplane process, so a stream that crosses while
 * they happen loses nothing (frames sent == frames received, every one
 * byte for byte), and no process is restarted. A driver change starts a
 * new process on the new driver; one that cannot start brings the previous
 * one back.
 */
import { checkFlows, flow, startStream } from '../../src/lab/traffic';
import { BACK, C200, labConfig, live, S100, sleep, startLab, sweepBefore } from './helpers';

const PREFIX = 'cxlb';
sweepBefore(PREFIX);

live('commits under a steady stream lose no frame and restart nothing', async (t) => {
  t.timeout(90_000);
  const mode = { driver: 'afxdp', xdpMode: 'native' } as const;
  const { lab, sup, events } = await startLab(t, `${PREFIX}0`, await labConfig(mode));
  const pid = sup.state().dataplane.pid;

  // Tables-only changes: a new circuit, MTUs, the same circuit removed again.
  const withExtra = await labConfig(mode, (doc) => {
    (doc.attachments as unknown[]).push(
      { name: 'extra-edge', port: 'cust0', vlan: { outer: { vid: 210 } } },
      { name: 'extra-cloud', port: 'cloud0', vlan: { outer: { vid: 101 }, inner: { vid: 210 } } },
    );
    (doc.services as unknown[]).push({ name: 'xc-extra', xconnect: { endpoints: ['extra-edge', 'extra-cloud'] } });
  });
  const withMtu = await labConfig(mode, (doc) => {
    for (const p of doc.ports as Record<string, unknown>[]) p.mtu = 9000;
  });
  const plain = await labConfig(mode);
  const commits = [withExtra, withMtu, plain, withExtra, plain];

  const count = 1500;
  const stream = startStream(flow('C200 under commits', lab.custHost, lab.cloudHost, [C200], [S100, C200]), count, 500);
  await stream.started;
  await sleep(500);
  let revision = 1;
  for (const cfg of commits) {
    revision += 1;
    await sup.apply(cfg, revision);
    await sleep(250);
  }
  const r = await stream.result;

  t.is(r.sent, count);
  t.is(r.received, r.sent, `lost ${r.lost} frames, first ${JSON.stringify(r.lost_first)}`);
  t.is(r.equal, r.sent, `not byte for byte: ${r.mismatch}`);
  const s = sup.state();
  t.is(s.revision, 6);
  t.is(s.dataplane.pid, pid, 'the same dataplane process all along');
  t.is(s.dataplane.restarts, 0);
  t.false(events.some((e) => e.kind === 'dataplane-restart'));
  t.is(s.attachments.find((a) => a.name === 'cust-a-edge')!.counters.rxPackets, BigInt(count), 'counts kept by name across commits');
});

live('a driver change restarts the ports on the new driver; a change that cannot start leaves the old one running', async (t) => {
  t.timeout(90_000);
  const { lab, sup } = await startLab(t, `${PREFIX}1`, await labConfig({ driver: 'afxdp', xdpMode: 'native' }));
  const crosses = async (what: string): Promise<void> => {
    const r = await checkFlows([
      flow('C200 -> S100+C200', lab.custHost, lab.cloudHost, [C200], [S100, C200], { count: 3 }),
      flow('S100+C200 -> C200', lab.cloudHost, lab.custHost, [S100, C200], [C200], { ...BACK, count: 3 }),
    ]);
    for (const f of r.flows) t.is(f.equal, f.sent, `${what}: ${f.name}: ${JSON.stringify(f)}`);
  };
  await crosses('afxdp');

  await sup.apply(await labConfig({ driver: 'afpacket' }), 2);
  t.deepEqual(sup.state().ports.map((p) => p.mode), ['tpacket-v3', 'tpacket-v3']);
  await crosses('afpacket');
  const cust = () => sup.state().attachments.find((a) => a.name === 'cust-a-edge')!.counters.rxPackets;
  t.is(cust(), 6n, 'counts carried across the process change');

  const broken = await labConfig({ driver: 'afxdp', xdpMode: 'native' }, (doc) => {
    (doc.ports as Record<string, unknown>[])[1]!.interface = 'cloud9';
  });
  const err = await t.throwsAsync(sup.apply(broken, 3));
  t.regex(err!.message, /cloud9/);
  const s = sup.state();
  t.is(s.revision, 2);
  t.is(s.dataplane.state, 'running');
  t.deepEqual(s.ports.map((p) => [p.interface, p.mode]), [
    ['cust0', 'tpacket-v3'],
    ['cloud0', 'tpacket-v3'],
  ]);
  await crosses('afpacket again after the refused change');
  t.is(cust(), 9n);
});
