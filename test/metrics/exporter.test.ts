/**
 * The Prometheus exporter against a fake ApplianceView: metric names and
 * labels (names, never indices), values, one state() per scrape, counters
 * that never go backwards across a data-plane restart, the HTTP surface,
 * and no secret in the output. The exposition is read by the official
 * Python client's parser, not by our code.
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

import { MetricsError, parseListenAddress, readBuildInfo, startMetricsServer, type MetricsServer } from '../../src/metrics';
import { ROOT } from '../helpers/cli';
import { DROP_REASONS, FakeAppliance } from './fake-appliance';
import { get, parseExposition, sampleKey, sampleMap, type ParsedFamily } from './helpers';

const BUILD = { version: '9.9.9', commit: 'abcdef123456', node: 'v20.0.0', kernel: '6.18.0-test' };

async function serve(t: { teardown(fn: () => Promise<void>): void }, view: FakeAppliance, extra: Partial<Parameters<typeof startMetricsServer>[0]> = {}): Promise<MetricsServer> {
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, view, build: BUILD, ...extra });
  t.teardown(() => server.close());
  return server;
}

async function scrape(server: MetricsServer): Promise<ParsedFamily[]> {
  const r = await get(server.url);
  if (r.status !== 200) throw new Error(`scrape: HTTP ${r.status}: ${r.body}`);
  return await parseExposition(r.body);
}

function family(families: ParsedFamily[], name: string): ParsedFamily {
  const f = families.find((x) => x.name === name);
  if (!f) throw new Error(`no family ${name} in ${families.map((x) => x.name).join(' ')}`);
  return f;
}

/** The appliance's metrics (family names as the Python parser reports them: counters without _total) and label keys. */
const APPLIANCE_METRICS: Array<[string, string, string[]]> = [
  ['cix_port_rx_packets', 'counter', ['port']],
  ['cix_port_rx_bytes', 'counter', ['port']],
  ['cix_port_tx_packets', 'counter', ['port']],
  ['cix_port_tx_bytes', 'counter', ['port']],
  ['cix_port_drops', 'counter', ['port', 'reason']],
  ['cix_attachment_rx_packets', 'counter', ['attachment', 'port']],
  ['cix_attachment_rx_bytes', 'counter', ['attachment', 'port']],
  ['cix_attachment_tx_packets', 'counter', ['attachment', 'port']],
  ['cix_attachment_tx_bytes', 'counter', ['attachment', 'port']],
  ['cix_attachment_drops', 'counter', ['attachment', 'port', 'reason']],
  ['cix_port_link_up', 'gauge', ['port']],
  ['cix_dataplane_restarts', 'counter', []],
  ['cix_dataplane_up', 'gauge', []],
  ['cix_config_revision', 'gauge', []],
  ['cix_build_info', 'gauge', ['commit', 'kernel', 'node', 'version']],
];

test('every appliance metric is there with its type and label names', async (t) => {
  const view = new FakeAppliance();
  view.traffic(1000n, 128n, 7n);
  const families = await scrape(await serve(t, view));
  for (const [name, type, labels] of APPLIANCE_METRICS) {
    const f = family(families, name);
    t.is(f.type, type, name);
    t.true(f.samples.length > 0, `${name} has samples`);
    for (const s of f.samples) t.deepEqual(Object.keys(s.labels).sort(), labels, `${s.name} labels`);
  }
});

test('names follow the rules: cix_ prefix, counters end in _total, nothing else does', async (t) => {
  const families = await scrape(await serve(t, new FakeAppliance()));
  t.true(families.length >= APPLIANCE_METRICS.length + 10, 'process metrics are exported too');
  t.truthy(families.find((f) => f.name === 'cix_process_cpu_seconds'), 'process metrics carry the cix_ prefix');
  for (const f of families) {
    t.regex(f.name, /^cix_[a-z0-9_]+$/, f.name);
    for (const s of f.samples) {
      if (f.type === 'counter') t.regex(s.name, /_total$/, `counter sample ${s.name}`);
      else t.notRegex(s.name, /_total$/, `${f.type} sample ${s.name} must not look like a counter`);
    }
  }
});

test('labels carry names, never indices; values are the view\'s counters', async (t) => {
  const view = new FakeAppliance();
  view.traffic(1000n, 128n, 7n, 'tpid_mismatch');
  const samples = sampleMap(await scrape(await serve(t, view)));
  t.is(samples.get(sampleKey('cix_port_rx_packets_total', { port: 'cust0' })), 1007);
  t.is(samples.get(sampleKey('cix_port_rx_bytes_total', { port: 'cust0' })), 1007 * 128);
  t.is(samples.get(sampleKey('cix_port_tx_packets_total', { port: 'cloud0' })), 1000);
  t.is(samples.get(sampleKey('cix_attachment_rx_packets_total', { attachment: 'cust0-100', port: 'cust0' })), 1007);
  t.is(samples.get(sampleKey('cix_attachment_tx_bytes_total', { attachment: 'cloud0-200', port: 'cloud0' })), 128000);
  t.is(samples.get(sampleKey('cix_port_drops_total', { port: 'cust0', reason: 'tpid_mismatch' })), 7);
  t.is(samples.get(sampleKey('cix_attachment_drops_total', { attachment: 'cust0-100', port: 'cust0', reason: 'tpid_mismatch' })), 7);
  // Every reason of every port is exported, zeros included, so rate() has a series from the start.
  for (const reason of DROP_REASONS) {
    t.true(samples.has(sampleKey('cix_port_drops_total', { port: 'cloud0', reason })), reason);
  }
  t.is(samples.get(sampleKey('cix_port_link_up', { port: 'cust0' })), 1);
  t.is(samples.get(sampleKey('cix_port_link_up', { port: 'cloud0' })), 0);
  t.is(samples.get(sampleKey('cix_config_revision', {})), 1);
  t.is(samples.get(sampleKey('cix_dataplane_up', {})), 1);
  t.is(samples.get(sampleKey('cix_build_info', BUILD)), 1);

  const names = new Set([...view.ports.map((p) => p.name), ...view.attachments.map((a) => a.name)]);
  for (const key of samples.keys()) {
    const m = /^(cix_(?:port|attachment)_[a-z_]+)\{(.*)\}$/.exec(key);
    if (!m) continue;
    for (const [, label, value] of m[2].matchAll(/(\w+)="([^"]*)"/g)) {
      if (label === 'reason') t.true((DROP_REASONS as readonly string[]).includes(value), `${key}: reason by name`);
      else t.true(names.has(value), `${key}: ${label} by name`);
      t.notRegex(value, /^\d+$/, `${key}: no index as a label value`);
    }
  }
});

test('a port whose link state is unknown has no link series', async (t) => {
  const view = new FakeAppliance();
  view.ports[1].link = 'unknown';
  const samples = sampleMap(await scrape(await serve(t, view)));
  t.true(samples.has(sampleKey('cix_port_link_up', { port: 'cust0' })));
  t.false(samples.has(sampleKey('cix_port_link_up', { port: 'cloud0' })));
});

test('one state() per scrape, however many metrics', async (t) => {
  const view = new FakeAppliance();
  const server = await serve(t, view);
  t.is(view.stateCalls, 0, 'nothing read before the first scrape');
  await scrape(server);
  t.is(view.stateCalls, 1);
  await Promise.all([get(server.url), get(server.url), get(server.url)]);
  t.is(view.stateCalls, 4);
});

test('counters never go backwards across a data-plane restart; restarts and up follow', async (t) => {
  const view = new FakeAppliance();
  const server = await serve(t, view);
  view.traffic(5000n, 1500n, 3n);
  const before = sampleMap(await scrape(server));
  t.is(before.get('cix_dataplane_restarts_total{}'), 0);

  view.restart();
  const during = sampleMap(await scrape(server));
  t.is(during.get('cix_dataplane_up{}'), 0);
  t.is(during.get('cix_dataplane_restarts_total{}'), 1);

  view.running();
  view.traffic(10n, 64n, 1n);
  const after = sampleMap(await scrape(server));
  t.is(after.get('cix_dataplane_up{}'), 1);
  let counters = 0;
  for (const [key, v] of before) {
    if (!/^cix_(port|attachment|dataplane)_.*_total\{/.test(key)) continue;
    counters++;
    t.true(during.get(key)! >= v, `${key} during restart`);
    t.true(after.get(key)! >= during.get(key)!, `${key} after restart`);
  }
  t.true(counters > 40, `checked ${counters} counters`);
  t.is(after.get(sampleKey('cix_port_rx_packets_total', { port: 'cust0' })), 5014);
});

test('counters beyond 2^53 are exported as the nearest float and stay monotonic', async (t) => {
  const view = new FakeAppliance();
  const server = await serve(t, view);
  const start = 2n ** 64n - 5000n; // a u64 counter near its end
  view.ports[0].counters.rxBytes = start;
  const values: number[] = [];
  for (let i = 0; i < 5; i++) {
    view.ports[0].counters.rxBytes += 999n;
    const r = await get(server.url);
    const line = r.body.split('\n').find((l) => l.startsWith('cix_port_rx_bytes_total{port="cust0"}'))!;
    values.push(Number(line.split(' ')[1]));
    const parsed = sampleMap(await parseExposition(r.body)).get(sampleKey('cix_port_rx_bytes_total', { port: 'cust0' }))!;
    t.is(parsed, Number(view.ports[0].counters.rxBytes), 'the parser reads the nearest double');
  }
  for (let i = 1; i < values.length; i++) t.true(values[i] >= values[i - 1], `sample ${i} not below the one before`);
  // Doubles below 2^64 are 2048 apart: 2^64-4001 is written as 2^64-4096, 2^64-5 as 2^64.
  t.is(values[0], 2 ** 64 - 4096, 'the nearest double, not a truncation');
  t.is(values[4], 2 ** 64);
  view.ports[0].counters.rxBytes = 2n ** 53n + 1n;
  const exact = await get(server.url);
  t.regex(exact.body, /cix_port_rx_bytes_total\{port="cust0"\} 9007199254740992\n/, '2^53+1 is written as 2^53 (nearest double)');
});

test('a removed attachment\'s series disappear; a new one appears', async (t) => {
  const view = new FakeAppliance();
  const server = await serve(t, view);
  view.traffic(3n, 100n);
  const first = sampleMap(await scrape(server));
  t.true(first.has(sampleKey('cix_attachment_rx_packets_total', { attachment: 'cust0-100', port: 'cust0' })));
  view.attachments = [{ name: 'cust0-300', port: 'cust0', service: undefined, counters: view.attachments[0].counters }];
  const second = sampleMap(await scrape(server));
  t.false(second.has(sampleKey('cix_attachment_rx_packets_total', { attachment: 'cust0-100', port: 'cust0' })));
  t.false(second.has(sampleKey('cix_attachment_tx_packets_total', { attachment: 'cloud0-200', port: 'cloud0' })));
  t.is(second.get(sampleKey('cix_attachment_rx_packets_total', { attachment: 'cust0-300', port: 'cust0' })), 3);
});

test('GET /metrics only: 404 elsewhere, 405 for other methods, query strings allowed', async (t) => {
  const server = await serve(t, new FakeAppliance());
  const base = server.url.replace(/\/metrics$/, '');
  const ok = await get(`${server.url}?name[]=cix_port_rx_packets_total`);
  t.is(ok.status, 200);
  t.regex(ok.headers['content-type'] ?? '', /^text\/plain; version=0\.0\.4/);
  for (const p of ['/', '/metric', '/metrics/', '/metricsx', '/favicon.ico']) t.is((await get(base + p)).status, 404, p);
  for (const m of ['POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']) {
    const r = await get(server.url, m);
    t.is(r.status, 405, m);
    t.is(r.headers.allow, 'GET', m);
  }
});

test('a failing view gives 500 with a fixed text; the reason goes to onError only', async (t) => {
  const view = new FakeAppliance();
  const secret = 'cix_supersecretTOKENvalue0123456789';
  const errors: unknown[] = [];
  const server = await serve(t, view, { onError: (e) => errors.push(e) });
  view.failWith = `counters file unreadable (token ${secret})`;
  const r = await get(server.url);
  t.is(r.status, 500);
  t.is(r.body, 'scrape failed\n');
  t.is(errors.length, 1);
  view.failWith = undefined;
  t.is((await get(server.url)).status, 200, 'the next scrape works again');
});

test('no secret reaches /metrics (tokens in the environment, in names of nothing)', async (t) => {
  const secret = 'cix_c2VjcmV0LXRva2VuLXZhbHVlLXRoYXQtbXVzdC1uZXZlci1sZWFr';
  const saved = process.env.CIX_TOKEN;
  process.env.CIX_TOKEN = secret;
  t.teardown(() => {
    if (saved === undefined) delete process.env.CIX_TOKEN;
    else process.env.CIX_TOKEN = saved;
  });
  const view = new FakeAppliance();
  view.traffic(1n, 64n);
  const server = await serve(t, view, { build: readBuildInfo() });
  const r = await get(server.url);
  t.is(r.status, 200);
  t.false(r.body.includes(secret));
  t.false(r.body.includes(secret.slice(4, 24)), 'not even a part of it');
});

test('two exporters in one process do not share series (own registries)', async (t) => {
  const a = new FakeAppliance();
  const b = new FakeAppliance();
  b.ports.splice(0, 2, { name: 'lab0', interface: 'veth-l0', link: 'up', counters: a.ports[0].counters });
  b.attachments = [];
  const sa = await serve(t, a);
  const sb = await serve(t, b);
  const fa = family(await scrape(sa), 'cix_port_rx_packets');
  const fb = family(await scrape(sb), 'cix_port_rx_packets');
  t.deepEqual(fa.samples.map((s) => s.labels.port).sort(), ['cloud0', 'cust0']);
  t.deepEqual(fb.samples.map((s) => s.labels.port), ['lab0']);
});

test('extra metrics register into the same registry', async (t) => {
  const { Gauge } = await import('prom-client');
  const server = await serve(t, new FakeAppliance(), {
    extra: (registry) => {
      new Gauge({ name: 'cix_mgmt_sessions', help: 'Open management sessions.', registers: [registry] }).set(3);
    },
  });
  t.is(sampleMap(await scrape(server)).get('cix_mgmt_sessions{}'), 3);
});

test('close() stops listening and is idempotent; a taken port is a METRICS_LISTEN error', async (t) => {
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, view: new FakeAppliance(), build: BUILD });
  const { port } = server.address;
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const taken = (blocker.address() as net.AddressInfo).port;
  const err = await t.throwsAsync(
    startMetricsServer({ listen: { host: '127.0.0.1', port: taken }, view: new FakeAppliance(), build: BUILD }),
    { instanceOf: MetricsError },
  );
  t.is(err?.code, 'METRICS_LISTEN');
  t.regex(err?.message ?? '', /EADDRINUSE/);
  await Promise.all([server.close(), server.close()]);
  await t.throwsAsync(get(`http://127.0.0.1:${port}/metrics`));
});

test('listen addresses: host:port, [v6]:port, :port; malformed ones refused', (t) => {
  t.deepEqual(parseListenAddress('127.0.0.1:9477'), { host: '127.0.0.1', port: 9477 });
  t.deepEqual(parseListenAddress('[::1]:9100'), { host: '::1', port: 9100 });
  t.deepEqual(parseListenAddress(':9477'), { host: '0.0.0.0', port: 9477 });
  t.deepEqual(parseListenAddress('metrics.local:0'), { host: 'metrics.local', port: 0 });
  for (const bad of ['9477', '127.0.0.1', '127.0.0.1:65536', 'host:port', '::1:9477', '']) {
    const err = t.throws(() => parseListenAddress(bad), { instanceOf: MetricsError }, bad);
    t.is(err?.code, 'METRICS_ADDRESS');
  }
});

test('build info comes from package.json and the running system', (t) => {
  const info = readBuildInfo();
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  t.is(info.version, pkg.version);
  t.is(info.node, process.version);
  t.is(info.kernel, os.release());
  t.regex(info.commit, /^([0-9a-f]{12}|unknown)$/);
  t.is(readBuildInfo({ env: { CIX_BUILD_COMMIT: 'ABCDEF0123456789' } }).commit, 'abcdef012345');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cix-build-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  t.deepEqual(readBuildInfo({ root: dir, env: {} }), { version: 'unknown', commit: 'unknown', node: process.version, kernel: os.release() });
});

test('docs/metrics.md lists every appliance metric', async (t) => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/metrics.md'), 'utf8');
  const families = await scrape(await serve(t, new FakeAppliance()));
  const appliance = families.filter((f) => !/^cix_(process|nodejs)_/.test(f.name));
  t.is(appliance.length, APPLIANCE_METRICS.length);
  for (const f of appliance) {
    const name = f.type === 'counter' ? `${f.name}_total` : f.name;
    t.true(doc.includes(`\`${name}\``), `${name} documented`);
  }
});
