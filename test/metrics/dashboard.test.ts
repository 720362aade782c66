/**
 * docs/grafana/cix-dashboard.json: valid JSON Grafana imports (schema
 * version, a Prometheus data-source variable every query uses), the main
 * panels, and every metric name its queries use exists in what our exporter
 * really serves (scraped from a running exporter, parsed by the Python client).
 */
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { startMetricsServer } from '../../src/metrics';
import { ROOT } from '../helpers/cli';
import { FakeAppliance } from './fake-appliance';
import { get, parseExposition } from './helpers';

interface Target {
  refId: string;
  expr: string;
  datasource: { type: string; uid: string };
}
interface Panel {
  id: number;
  type: string;
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
  fieldConfig?: { defaults?: { unit?: string; custom?: { stacking?: { mode?: string } } } };
  gridPos: { h: number; w: number; x: number; y: number };
}
interface TemplateVar {
  name: string;
  type: string;
  query: unknown;
  definition?: string;
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: TemplateVar[] };
}

const FILE = path.join(ROOT, 'docs/grafana/cix-dashboard.json');
const dashboard = JSON.parse(fs.readFileSync(FILE, 'utf8')) as Dashboard;
const graphPanels = dashboard.panels.filter((p) => p.type !== 'row');
const targets = graphPanels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p, target: t })));

/** Every sample name our exporter serves (counters with _total, histograms with _bucket, ...). */
async function exportedNames(): Promise<Set<string>> {
  const view = new FakeAppliance();
  view.traffic(10n, 100n, 1n);
  const server = await startMetricsServer({ listen: { host: '127.0.0.1', port: 0 }, view });
  try {
    const r = await get(server.url);
    return new Set((await parseExposition(r.body)).flatMap((f) => f.samples.map((s) => s.name)));
  } finally {
    await server.close();
  }
}

test('the dashboard is Grafana JSON of schema ~39 with a Prometheus data-source variable', (t) => {
  t.is(dashboard.uid, 'cix-appliance');
  t.truthy(dashboard.title);
  t.true(dashboard.schemaVersion >= 36 && dashboard.schemaVersion <= 41, `schemaVersion ${dashboard.schemaVersion}`);
  const ds = dashboard.templating.list.find((v) => v.type === 'datasource');
  t.truthy(ds, 'a datasource variable');
  t.is(ds?.query, 'prometheus');
  const ids = dashboard.panels.map((p) => p.id);
  t.is(new Set(ids).size, ids.length, 'panel ids are unique');
  for (const p of graphPanels) {
    t.deepEqual(p.datasource, { type: 'prometheus', uid: `\${${ds!.name}}` }, `${p.title}: panel data source is the variable`);
    t.true((p.targets ?? []).length > 0, `${p.title}: has queries`);
    for (const tg of p.targets ?? []) t.is(tg.datasource.uid, `\${${ds!.name}}`, `${p.title} ${tg.refId}`);
    t.true(p.gridPos.x + p.gridPos.w <= 24, `${p.title}: fits the 24-column grid`);
  }
});

test('every metric a query or variable uses is one our exporter serves', async (t) => {
  const served = await exportedNames();
  const used = new Set<string>();
  const texts = [
    ...targets.map(({ target }) => target.expr),
    ...dashboard.templating.list.map((v) => v.definition ?? ''),
  ];
  for (const text of texts) for (const m of text.matchAll(/\bcix_[a-z0-9_]+/g)) used.add(m[0]);
  t.true(used.size >= 12, `uses ${[...used].join(' ')}`);
  for (const name of used) t.true(served.has(name), `${name} is exported`);
});

test('counters are only read through rate()/increase(); brackets balance', (t) => {
  for (const { panel, target } of targets) {
    const where = `${panel.title} ${target.refId}: ${target.expr}`;
    for (const m of target.expr.matchAll(/\bcix_[a-z0-9_]+_total\b/g)) {
      const before = target.expr.slice(0, m.index);
      t.regex(before, /\b(rate|irate|increase)\(\s*$/, `${where}: ${m[0]} inside rate()/increase()`);
    }
    for (const [open, close] of [['(', ')'], ['{', '}'], ['[', ']']]) {
      t.is(target.expr.split(open).length, target.expr.split(close).length, `${where}: ${open}${close} balance`);
    }
  }
});

test('the main panels are there', (t) => {
  const find = (re: RegExp): Panel[] => graphPanels.filter((p) => (p.targets ?? []).some((tg) => re.test(tg.expr)));
  const one = (re: RegExp, what: string): Panel => {
    const found = find(re);
    t.true(found.length > 0, what);
    return found[0] ?? graphPanels[0];
  };
  t.is(one(/rate\(cix_attachment_rx_packets_total/, 'attachment rx pps').fieldConfig?.defaults?.unit, 'pps');
  one(/rate\(cix_attachment_tx_packets_total/, 'attachment tx pps');
  t.is(one(/rate\(cix_attachment_rx_bytes_total.*\* 8/, 'attachment rx bit/s').fieldConfig?.defaults?.unit, 'bps');
  one(/rate\(cix_attachment_tx_bytes_total.*\* 8/, 'attachment tx bit/s');
  const drops = one(/by \(reason\) \(rate\(cix_port_drops_total/, 'drops by reason');
  t.is(drops.fieldConfig?.defaults?.custom?.stacking?.mode, 'normal', 'drops are stacked');
  one(/rate\(cix_port_rx_packets_total/, 'port pps');
  one(/rate\(cix_port_tx_bytes_total.*\* 8/, 'port bit/s');
  one(/cix_port_link_up/, 'link state');
  one(/cix_dataplane_restarts_total/, 'data-plane restarts');
  one(/cix_dataplane_up/, 'data plane up');
  one(/cix_config_revision/, 'config revision');
  t.is(one(/cix_build_info/, 'build info').type, 'table');
});
