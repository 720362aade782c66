import test from 'ava';

import { checkSchema, type Config } from '../../src/config';
import { compareConfigs, diffConfigs } from '../../src/txn';
import { baseDoc, checked } from './helpers';

/** The checked form of a document, valid or not (a candidate being edited may be either). */
function shaped(doc: unknown): Config {
  return checkSchema(doc).config;
}

function withDoc(edit: (d: ReturnType<typeof baseDoc>) => void): Config {
  const d = baseDoc();
  edit(d);
  return shaped(d);
}

test('items are matched by name: an insert is one line, not a shift of every later item', (t) => {
  const a = checked(baseDoc());
  const b = withDoc((d) => {
    (d.ports as unknown[]).unshift({ name: 'cust9', mtu: 1600 });
    (d.attachments as unknown[]).push({ name: 'spare', port: 'cust9', untagged: {} });
  });
  t.deepEqual(diffConfigs(a, b), [
    { op: '+', path: 'ports[cust9]', to: { name: 'cust9', mtu: 1600 } },
    { op: '~', path: 'ports', from: ['cust0', 'cloud0'], to: ['cust9', 'cust0', 'cloud0'], order: true },
    { op: '+', path: 'attachments[spare]', to: { name: 'spare', port: 'cust9', untagged: {} } },
  ]);
  t.is(
    compareConfigs(a, b).text,
    [
      '[edit ports]',
      '+   [cust9] {"name":"cust9","mtu":1600}',
      '[edit]',
      '-   ports (order) cust0 cloud0',
      '+   ports (order) cust9 cust0 cloud0',
      '[edit attachments]',
      '+   [spare] {"name":"spare","port":"cust9","untagged":{}}',
      '',
    ].join('\n'),
  );
});

test('a oneof switch, a removed item, a changed list of values', (t) => {
  const a = checked(baseDoc());
  const b = withDoc((d) => {
    (d.attachments as Record<string, unknown>[])[0] = { name: 'cust-a', port: 'cust0', untagged: { whole_port: true } };
    (d.services as Record<string, unknown>[])[0] = { name: 'xc-a', xconnect: { endpoints: ['cloud-a', 'cust-a'] } };
    (d.ports as unknown[]).pop();
  });
  t.deepEqual(diffConfigs(a, b), [
    { op: '-', path: 'ports[cloud0]', from: { name: 'cloud0', mtu: 9000 } },
    { op: '+', path: 'attachments[cust-a].untagged', to: { wholePort: true } },
    { op: '-', path: 'attachments[cust-a].vlan', from: { outer: { vid: 200 } } },
    { op: '~', path: 'services[xc-a].xconnect.endpoints', from: ['cust-a', 'cloud-a'], to: ['cloud-a', 'cust-a'] },
  ]);
});

test('lists whose names cannot select an item (duplicates) are compared whole', (t) => {
  const a = shaped({ ports: [{ name: 'p' }, { name: 'p' }] });
  const b = shaped({ ports: [{ name: 'p' }, { name: 'p', mtu: 1400 }] });
  const lines = diffConfigs(a, b);
  t.is(lines.length, 1);
  t.like(lines[0], { op: '~', path: 'ports' });
});

test('equal configurations have no diff, whatever their key order', (t) => {
  const a = checked(baseDoc());
  const d = baseDoc();
  const reversed = Object.fromEntries(Object.entries(d).reverse());
  const b = checked(reversed);
  t.notDeepEqual(Object.keys(reversed), Object.keys(d));
  t.deepEqual(diffConfigs(a, b), []);
  t.is(compareConfigs(a, b).text, '');
});
