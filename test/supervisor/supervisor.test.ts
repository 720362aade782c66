import test from 'ava';

import { ConfigError, checkSchema, type Config } from '../../src/config';
import type { ApplianceEvent, CounterValues, OperationalState } from '../../src/supervisor/api';
import { SupervisorError } from '../../src/supervisor/errors';
import { Supervisor, type SupervisorOptions } from '../../src/supervisor/supervisor';
import { FakeCounterFiles, FakeLauncher, FakeNet, waitFor } from './fakes';

/** A checked Config from a plain document (what transactions hand the supervisor). */
function config(doc: unknown): Config {
  const r = checkSchema(doc);
  if (r.issues.length > 0) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

function baseDoc() {
  return {
    ports: [
      { name: 'cust0', interface: 'veth-c', driver: 'afxdp', addresses: ['192.0.2.1/24'] } as Record<string, unknown>,
      { name: 'cloud0', interface: 'veth-k', driver: 'afpacket' } as Record<string, unknown>,
    ],
    attachments: [
      { name: 'a-edge', port: 'cust0', vlan: { outer: { vid: 200 } } },
      { name: 'a-cloud', port: 'cloud0', vlan: { outer: { vid: 100 }, inner: { vid: 200 } } },
      { name: 'b-edge', port: 'cust0', untagged: {} },
      { name: 'b-cloud', port: 'cloud0', vlan: { outer: { vid: 300 } } },
    ] as Record<string, unknown>[],
    services: [
      { name: 'xa', xconnect: { endpoints: ['a-edge', 'a-cloud'] } },
      { name: 'xb', xconnect: { endpoints: ['b-edge', 'b-cloud'] } },
    ] as Record<string, unknown>[],
  };
}

interface Rig {
  sup: Supervisor;
  launcher: FakeLauncher;
  files: FakeCounterFiles;
  net: FakeNet;
  events: ApplianceEvent[];
  logs: string[];
}

function rig(t: { teardown(fn: () => Promise<void> | void): void }, extra: Partial<SupervisorOptions> = {}): Rig {
  const files = new FakeCounterFiles();
  const launcher = new FakeLauncher(files);
  const net = new FakeNet();
  const logs: string[] = [];
  const sup = new Supervisor({
    launcher: launcher.launch,
    counterFiles: files,
    net,
    linkPollMs: 0,
    host: { onlineCpus: new Set([0, 1]) },
    log: (l) => logs.push(l),
    restartPolicy: { windowMs: 10_000, freeRestarts: 5, initialDelayMs: 20, maxDelayMs: 100 },
    timeouts: { startMs: 2_000, applyMs: 2_000, stopMs: 2_000 },
    ...extra,
  });
  const events: ApplianceEvent[] = [];
  sup.onEvent((e) => events.push(e));
  t.teardown(() => sup.close());
  return { sup, launcher, files, net, events, logs };
}

function counters(s: OperationalState, kind: 'ports' | 'attachments', name: string): CounterValues {
  const c = s[kind].find((x) => x.name === name)?.counters;
  if (c === undefined) throw new Error(`no ${kind} ${name}`);
  return c;
}

test('apply starts one dataplane process with the spec, plan and addresses of the config', async (t) => {
  const { sup, launcher, net } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  t.is(launcher.children.length, 1);
  const spec = launcher.last.spec!;
  t.is(spec.workers, 1);
  t.deepEqual(
    spec.run.ports.map((p) => [p.id, p.name, p.interface, p.driver, p.xdpMode, p.addresses]),
    [
      [0, 'cust0', 'veth-c', 'afxdp', 'auto', ['192.0.2.1']],
      [1, 'cloud0', 'veth-k', 'afpacket', 'auto', []],
    ],
  );
  t.deepEqual(spec.run.cpus, []);
  t.is(spec.run.burst, 64);
  t.deepEqual(spec.plan.attachments.map((a) => [a.name, a.id, a.peer]), [
    ['a-edge', 0, 1],
    ['a-cloud', 1, 0],
    ['b-edge', 2, 3],
    ['b-cloud', 3, 2],
  ]);
  t.deepEqual([...net.up].sort(), ['veth-c', 'veth-k']);
  t.deepEqual(net.log, ['add veth-c 192.0.2.1/24']);

  const s = sup.state();
  t.is(s.revision, 1);
  t.is(s.dataplane.state, 'running');
  t.is(s.dataplane.pid, launcher.last.pid);
  t.is(s.dataplane.workers, 1);
  t.deepEqual(
    s.ports.map((p) => [p.name, p.interface, p.driver, p.mode]),
    [
      ['cust0', 'veth-c', 'afxdp', 'native/copy'],
      ['cloud0', 'veth-k', 'afpacket', 'tpacket-v3'],
    ],
  );
  t.deepEqual(s.attachments.map((a) => [a.name, a.port, a.service]), [
    ['a-edge', 'cust0', 'xa'],
    ['a-cloud', 'cloud0', 'xa'],
    ['b-edge', 'cust0', 'xb'],
    ['b-cloud', 'cloud0', 'xb'],
  ]);
  t.deepEqual(s.services, [
    { name: 'xa', kind: 'xconnect', endpoints: ['a-edge', 'a-cloud'] },
    { name: 'xb', kind: 'xconnect', endpoints: ['b-edge', 'b-cloud'] },
  ]);
  t.deepEqual(s.drops, { truncated: 0n, no_attachment: 0n, tx_full: 0n });
});

test('a tables-only change is one apply in the running process, ids kept by name', async (t) => {
  const { sup, launcher } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  const child = launcher.last;
  child.traffic(10);

  // Reorder, remove a-edge/a-cloud's service partner order, add one: tables only.
  const doc = baseDoc();
  doc.attachments.reverse();
  doc.attachments.push({ name: 'c-edge', port: 'cust0', vlan: { outer: { vid: 700 } } });
  doc.ports[0]!.mtu = 9000; // jumbo frames too: every live worker has jumbo buffers
  await sup.apply(config(doc), 2);

  t.is(launcher.children.length, 1, 'no new process');
  const applied = child.received.filter((m) => m.type === 'apply');
  t.is(applied.length, 1);
  t.deepEqual(child.plan!.attachments.map((a) => [a.name, a.id]), [
    ['b-cloud', 3],
    ['b-edge', 2],
    ['a-cloud', 1],
    ['a-edge', 0],
    ['c-edge', 4],
  ]);
  t.is(child.plan!.ports[0]!.mtu, 9000);
  const s = sup.state();
  t.is(s.revision, 2);
  t.is(counters(s, 'attachments', 'a-edge').rxPackets, 10n, 'counts stay with their names');
  t.is(counters(s, 'attachments', 'c-edge').rxPackets, 0n);
});

test('a port, driver, address or worker change restarts the process with the new spec', async (t) => {
  const { sup, launcher, net } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  const first = launcher.last;
  first.traffic(5);

  const doc = baseDoc();
  doc.ports[0]!.addresses = ['192.0.2.1/24', '198.51.100.1/31'];
  doc.ports[1]!.driver = 'afxdp';
  doc.ports[1]!.xdpMode = 'skb';
  await sup.apply(config({ ...doc, dataplane: { workers: 2, burst: 32 } }), 2);

  t.is(launcher.children.length, 2);
  t.false(first.alive);
  t.deepEqual(first.received.map((m) => m.type), ['start', 'stop'], 'stopped in order, not killed');
  const spec = launcher.last.spec!;
  t.is(spec.workers, 2);
  t.is(spec.run.burst, 32);
  t.deepEqual(spec.run.ports[1], { id: 1, name: 'cloud0', interface: 'veth-k', driver: 'afxdp', xdpMode: 'skb', addresses: [] });
  t.deepEqual(spec.run.ports[0]!.addresses, ['192.0.2.1', '198.51.100.1']);
  t.deepEqual(net.log, ['add veth-c 192.0.2.1/24', 'add veth-c 198.51.100.1/31']);

  const s = sup.state();
  t.is(s.revision, 2);
  t.is(s.dataplane.restarts, 0, 'a planned restart is not a death');
  t.is(counters(s, 'ports', 'cust0').rxPackets, 5n, 'the old process counts are carried');
  launcher.last.traffic(3);
  t.is(counters(sup.state(), 'ports', 'cust0').rxPackets, 8n);
});

test('a failed restart brings the previous spec back and rejects, running config unchanged', async (t) => {
  const { sup, launcher, net } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  launcher.last.traffic(7);
  launcher.behaviour.badInterfaces.add('veth-gone');

  const doc = baseDoc();
  doc.ports[1]!.interface = 'veth-gone';
  doc.ports[0]!.addresses = ['203.0.113.9/24'];
  const err = await t.throwsAsync(sup.apply(config(doc), 2), { instanceOf: SupervisorError });
  t.is(err!.code, 'CIX_DATAPLANE_START');
  t.regex(err!.message, /cloud0: cannot open veth-gone/);

  t.is(launcher.children.length, 3, 'old stopped, new failed, old spec started again');
  t.is(launcher.alive().length, 1);
  const back = launcher.last;
  t.deepEqual(back.spec!.run.ports.map((p) => p.interface), ['veth-c', 'veth-k']);
  t.deepEqual(back.spec!.plan, launcher.children[0]!.spec!.plan);
  t.deepEqual([...net.addrs.get('veth-c')!], ['192.0.2.1/24'], 'addresses as before');
  const s = sup.state();
  t.is(s.revision, 1);
  t.is(s.dataplane.state, 'running');
  t.is(counters(s, 'ports', 'cust0').rxPackets, 7n);
});

test('refused tables leave the process and the running config as they were', async (t) => {
  const { sup, launcher } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  launcher.behaviour.refuseAttachment = 'poison';
  const doc = baseDoc();
  doc.attachments.push({ name: 'poison', port: 'cust0', vlan: { outer: { vid: 9 } } });
  const err = await t.throwsAsync(sup.apply(config(doc), 2), { instanceOf: SupervisorError });
  t.is(err!.code, 'CIX_DATAPLANE_APPLY');
  t.is(launcher.children.length, 1);
  t.is(sup.state().revision, 1);
  t.false(sup.state().attachments.some((a) => a.name === 'poison'));
});

test('an invalid or not-runnable config is refused whole, naming the field', async (t) => {
  const { sup, launcher } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  const cases: [unknown, string[]][] = [
    [{ ...baseDoc(), ports: [{ name: 'cust0', driver: 'pcap' }, { name: 'cloud0', interface: 'veth-k' }] }, ['ports[0].driver']],
    [{ ...baseDoc(), ports: [{ name: 'cust0' }, { name: 'cloud0', interface: 'veth-k' }] }, ['ports[0].interface']],
    [{ ...baseDoc(), dataplane: { workers: 2, cpus: [0, 7] } }, ['dataplane.cpus[1]']],
    [{ ...baseDoc(), dataplane: { workers: 0 } }, ['dataplane.workers']],
  ];
  for (const [doc, paths] of cases) {
    const err = await t.throwsAsync(sup.apply(config(doc), 2), { instanceOf: ConfigError });
    t.deepEqual(
      err!.issues.map((i) => i.path),
      paths,
    );
  }
  t.is(launcher.children.length, 1);
  t.is(launcher.last.received.length, 1, 'the process saw nothing but its start');
  t.is(sup.state().revision, 1);
});

test('kill -9 of the dataplane: restarted with the running config, counters carried, event emitted', async (t) => {
  const { sup, launcher, events, files } = rig(t);
  await sup.apply(config(baseDoc()), 4);
  const first = launcher.last;
  first.traffic(100);
  first.block!.add('port', 0, 0, { no_attachment: 3 });
  const before = sup.state();

  first.kill('SIGKILL');
  await waitFor(() => launcher.children.length === 2 && sup.state().dataplane.state === 'running', 5_000, 'restart');
  const second = launcher.last;
  t.deepEqual(second.spec!.plan, first.spec!.plan);
  t.deepEqual(second.spec!.run, first.spec!.run);
  t.is(second.spec!.revision, 4);
  t.not(second.spec!.countersPath, first.spec!.countersPath, 'a fresh counters file');
  t.deepEqual(files.removed, [first.spec!.countersPath]);

  const after = sup.state();
  t.is(after.revision, 4);
  t.is(after.dataplane.restarts, 1);
  t.is(after.dataplane.pid, second.pid);
  t.deepEqual(counters(after, 'ports', 'cust0'), counters(before, 'ports', 'cust0'));
  t.is(after.drops.no_attachment, 3n);
  const restart = events.find((e) => e.kind === 'dataplane-restart');
  t.like(restart, { kind: 'dataplane-restart', pid: first.pid, reason: 'killed by SIGKILL' });

  second.traffic(1);
  t.is(counters(sup.state(), 'attachments', 'a-edge').rxPackets, 101n);
});

test('a process that keeps dying is restarted with growing delays', async (t) => {
  const { sup, launcher, logs } = rig(t, {
    restartPolicy: { windowMs: 10_000, freeRestarts: 2, initialDelayMs: 40, maxDelayMs: 80 },
  });
  await sup.apply(config(baseDoc()), 1);
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const n = launcher.children.length;
    const t0 = Date.now();
    launcher.last.kill('SIGSEGV');
    await waitFor(() => launcher.children.length === n + 1 && sup.state().dataplane.state === 'running', 5_000, `restart ${i}`);
    delays.push(Date.now() - t0);
  }
  t.is(sup.state().dataplane.restarts, 5);
  const announced = logs.filter((l) => l.includes('killed by SIGSEGV')).map((l) => /restarting (now|in (\d+) ms)/.exec(l)?.[2] ?? '0');
  t.deepEqual(announced, ['0', '0', '40', '80', '80']);
  t.true(delays[4]! >= 75, `the fifth restart waited (${delays[4]} ms)`);
});

test('a restart that fails is retried until the interface comes back', async (t) => {
  const { sup, launcher } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  launcher.behaviour.badInterfaces.add('veth-k');
  launcher.last.kill('SIGKILL');
  await waitFor(() => launcher.children.length >= 4, 5_000, 'retries');
  t.is(sup.state().dataplane.state, 'restarting');
  launcher.behaviour.badInterfaces.clear();
  await waitFor(() => sup.state().dataplane.state === 'running', 5_000, 'recovery');
  t.is(launcher.alive().length, 1);
});

test('a dataplane that does not answer its start is killed, and the apply fails', async (t) => {
  const { sup, launcher } = rig(t, { timeouts: { startMs: 100, applyMs: 100, stopMs: 100 } });
  launcher.behaviour.hangOnStart = true;
  const err = await t.throwsAsync(sup.apply(config(baseDoc()), 1), { instanceOf: SupervisorError });
  t.is(err!.code, 'CIX_DATAPLANE_TIMEOUT');
  t.is(launcher.alive().length, 0);
  t.is(sup.state().dataplane.state, 'stopped');
  t.is(sup.state().revision, 0);
});

test('counters never go backwards across commits that remove, reorder and reuse ids', async (t) => {
  // Room for 5 attachment ids: the sixth distinct name must reuse a freed id.
  const { sup, launcher } = rig(t, { maxAttachments: 5 });
  await sup.apply(config(baseDoc()), 1);
  const child = launcher.last;
  child.traffic(10);

  // Remove the a-pair (ids 0, 1 freed), add three new names: id 4 is fresh, then 0 and 1 are reused.
  const doc = baseDoc();
  doc.attachments = doc.attachments.filter((a) => !String(a.name).startsWith('a-'));
  doc.services = doc.services.filter((s) => s.name !== 'xa');
  doc.attachments.push(
    { name: 'n1', port: 'cust0', vlan: { outer: { vid: 11 } } },
    { name: 'n2', port: 'cust0', vlan: { outer: { vid: 12 } } },
    { name: 'n3', port: 'cust0', vlan: { outer: { vid: 13 } } },
  );
  await sup.apply(config(doc), 2);
  t.deepEqual(child.plan!.attachments.map((a) => [a.name, a.id]), [
    ['b-edge', 2],
    ['b-cloud', 3],
    ['n1', 4],
    ['n2', 0],
    ['n3', 1],
  ]);
  const s = sup.state();
  t.is(counters(s, 'attachments', 'n2').rxPackets, 0n, 'a reused id starts at zero for its new name');
  t.is(counters(s, 'attachments', 'b-edge').rxPackets, 10n);
  child.traffic(1);
  const s2 = sup.state();
  t.is(counters(s2, 'attachments', 'n2').rxPackets, 1n);
  t.is(counters(s2, 'attachments', 'b-edge').rxPackets, 11n);
});

test('addresses: cix removes what it added and leaves what it found', async (t) => {
  const { sup, net } = rig(t);
  net.addrs.set('veth-k', new Set(['10.0.0.1/8']));
  const doc = baseDoc();
  doc.ports[1]!.addresses = ['10.0.0.1/8', '10.0.0.2/8'];
  await sup.apply(config(doc), 1);
  t.deepEqual(net.log, ['add veth-c 192.0.2.1/24', 'add veth-k 10.0.0.2/8']);
  doc.ports[1]!.addresses = [];
  await sup.apply(config(doc), 2);
  t.deepEqual(net.log.slice(2), ['del veth-k 10.0.0.2/8']);
  await sup.close();
  t.deepEqual(net.log.slice(3), ['del veth-c 192.0.2.1/24']);
  t.deepEqual([...net.addrs.get('veth-k')!], ['10.0.0.1/8']);
});

test('close stops the process in order and refuses later applies', async (t) => {
  const { sup, launcher, files } = rig(t);
  await sup.apply(config(baseDoc()), 1);
  const child = launcher.last;
  await sup.close();
  t.false(child.alive);
  t.deepEqual(child.received.map((m) => m.type), ['start', 'stop']);
  t.is(child.exitInfo!.signal, null);
  t.deepEqual(files.removed, [child.spec!.countersPath]);
  t.is(sup.state().dataplane.state, 'stopped');
  const err = await t.throwsAsync(sup.apply(config(baseDoc()), 2), { instanceOf: SupervisorError });
  t.is(err!.code, 'CIX_SUPERVISOR_CLOSED');
  await sup.close();
});

test('link changes are events', async (t) => {
  const { sup, net, events } = rig(t, { linkPollMs: 20 });
  net.links.set('veth-c', 'up');
  net.links.set('veth-k', 'down');
  await sup.apply(config(baseDoc()), 1);
  await waitFor(() => sup.state().ports.every((p) => p.link !== 'unknown'), 2_000, 'first poll');
  net.links.set('veth-k', 'up');
  await waitFor(() => sup.state().ports[1]!.link === 'up', 2_000, 'link up');
  const links = events.filter((e) => e.kind === 'link').map((e) => (e.kind === 'link' ? `${e.port}:${e.link}` : ''));
  t.deepEqual(links, ['cust0:up', 'cloud0:down', 'cloud0:up']);
});

test('the dataplane process runs in the namespace the supervisor was given', async (t) => {
  const { sup, launcher } = rig(t, { netns: 'cxl-x' });
  await sup.apply(config(baseDoc()), 1);
  t.deepEqual(launcher.last.launch, { netns: 'cxl-x' });
});

test('check names what apply would refuse, without touching the data plane', (t) => {
  const { sup, launcher } = rig(t);
  t.deepEqual(sup.check(config(baseDoc())), []);
  t.deepEqual(
    sup.check(config({ ...baseDoc(), dataplane: { cpus: [9] } })).map((i) => i.path),
    ['dataplane.cpus[0]'],
  );
  t.deepEqual(
    sup.check(config({ ...baseDoc(), dataplane: { workers: 99 } })).map((i) => i.path),
    ['dataplane.workers'],
  );
  t.is(launcher.children.length, 0);
});
