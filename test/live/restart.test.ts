/**
 * kill -9 of the dataplane process: the supervisor starts a new one with
 * the running configuration; traffic resumes by itself within 2 s, the
 * frames after it carry the configured tags, and no exported counter goes
 * backwards.
 */
import { checkFlows, flow, startStream } from '../../src/lab/traffic';
import type { CounterValues, OperationalState } from '../../src/supervisor/api';
import { BACK, C200, labConfig, live, S100, sleep, startLab, sweepBefore } from './helpers';

const PREFIX = 'cxlc';
sweepBefore(PREFIX);

function notBackwards(before: CounterValues, after: CounterValues): boolean {
  return (
    after.rxPackets >= before.rxPackets &&
    after.txPackets >= before.txPackets &&
    after.rxBytes >= before.rxBytes &&
    after.txBytes >= before.txBytes &&
    Object.entries(before.drops).every(([r, n]) => (after.drops[r] ?? 0n) >= n)
  );
}

function allCounters(s: OperationalState): Map<string, CounterValues> {
  return new Map([...s.ports.map((p) => [`port ${p.name}`, p.counters] as const), ...s.attachments.map((a) => [`attachment ${a.name}`, a.counters] as const)]);
}

live('kill -9 of the dataplane process: traffic resumes within 2 s with the config intact', async (t) => {
  t.timeout(90_000);
  const { lab, sup, events } = await startLab(t, `${PREFIX}0`, await labConfig({ driver: 'afxdp', xdpMode: 'native' }));
  const victim = sup.state().dataplane.pid!;

  const rate = 200;
  const stream = startStream(flow('C200 across a kill', lab.custHost, lab.cloudHost, [C200], [S100, C200]), rate * 6, rate);
  await stream.started;
  await sleep(1_500);
  const before = sup.state();
  process.kill(victim, 'SIGKILL');
  const r = await stream.result;

  t.log(`stream across the kill: ${JSON.stringify(r)}`);
  const after = sup.state();
  t.is(after.dataplane.state, 'running');
  t.is(after.dataplane.restarts, 1);
  t.not(after.dataplane.pid, victim);
  t.is(after.revision, before.revision, 'the running config was re-applied');
  t.like(
    events.find((e) => e.kind === 'dataplane-restart'),
    { kind: 'dataplane-restart', pid: victim, reason: 'killed by SIGKILL' },
  );

  t.true(r.max_gap_s !== null && r.max_gap_s < 2, `longest silence ${r.max_gap_s} s (lost ${r.lost})`);
  t.true(r.received > r.sent / 2, `${r.received} of ${r.sent} arrived`);
  t.is(r.equal, r.received, `after the restart not byte for byte: ${r.mismatch}`);
  t.true(r.lost_first.every((s) => s > 0), 'only frames around the kill are lost');

  const b = allCounters(before);
  for (const [name, a] of allCounters(after)) t.true(notBackwards(b.get(name)!, a), `${name} went backwards`);

  // Both directions work on the new process, with the same tags.
  const report = await checkFlows([
    flow('C200 -> S100+C200', lab.custHost, lab.cloudHost, [C200], [S100, C200], { count: 3 }),
    flow('S100+C200 -> C200', lab.cloudHost, lab.custHost, [S100, C200], [C200], { ...BACK, count: 3 }),
  ]);
  for (const f of report.flows) t.is(f.equal, f.sent, `${f.name}: ${JSON.stringify(f)}`);
});
