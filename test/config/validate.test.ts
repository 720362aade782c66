import test from 'ava';

import { configFromValue, validateConfig, checkSchema } from '../../src/config';
import { baseDoc, issuesOf } from './helpers';

function withTag(tag: Record<string, unknown>, inner?: Record<string, unknown>) {
  const doc = baseDoc();
  doc.attachments.push({ name: 'x', port: 'cust0', vlan: inner ? { outer: tag, inner } : { outer: tag } });
  return doc;
}

test('port names: missing, malformed, duplicate', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports.push({ name: '' }, { name: '9lives' }, { name: 'cust0' }, { name: 'a'.repeat(65) });
  t.deepEqual(issuesOf(doc), [
    'ports[2].name: required',
    'ports[3].name: "9lives" is not a valid name (a letter, then up to 63 letters, digits, "_", "." or "-")',
    'ports[4].name: "cust0" is already the name of ports[0]',
    `ports[5].name: "${'a'.repeat(65)}" is not a valid name (a letter, then up to 63 letters, digits, "_", "." or "-")`,
  ]);
});

test('attachment and service names are checked the same way', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'cust-a', port: 'cust0', untagged: {} });
  doc.services.push({ name: 'xc a', xconnect: { endpoints: [] } });
  const issues = issuesOf(doc);
  t.true(issues.includes('attachments[2].name: "cust-a" is already the name of attachments[0]'));
  t.true(issues.includes('services[1].name: "xc a" is not a valid name (a letter, then up to 63 letters, digits, "_", "." or "-")'));
});

test('port mtu 68..9216', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[0] = { name: 'cust0', mtu: 67 };
  ports[1] = { name: 'cloud0', mtu: 9217 };
  t.deepEqual(issuesOf(doc), ['ports[0].mtu: 67 is out of range (68-9216)', 'ports[1].mtu: 9217 is out of range (68-9216)']);
  ports[0] = { name: 'cust0', mtu: 68 };
  ports[1] = { name: 'cloud0', mtu: 9216 };
  t.deepEqual(issuesOf(doc), []);
});

test('VID 4095 is reserved', (t) => {
  t.deepEqual(issuesOf(withTag({ vid: 4095 })), ['attachments[2].vlan.outer.vid: 4095 is reserved (1-4094)']);
});

test('VID 0 is a priority tag, not a VLAN', (t) => {
  t.deepEqual(issuesOf(withTag({ vid: 0 })), [
    'attachments[2].vlan.outer.vid: 0 is not a VLAN ID (1-4094; priority-tagged frames go to the untagged attachment)',
  ]);
});

test('VID above 4095, and a missing VID', (t) => {
  t.deepEqual(issuesOf(withTag({ vid: 7 }, { vid: 5000 })), ['attachments[2].vlan.inner.vid: 5000 is out of range (1-4094)']);
  t.deepEqual(issuesOf(withTag({ pcp: 3 })), ['attachments[2].vlan.outer.vid: required (1-4094)']);
});

test('TPID must be one the parser knows, shown in hex', (t) => {
  t.deepEqual(issuesOf(withTag({ vid: 7, tpid: 0x9999 })), [
    'attachments[2].vlan.outer.tpid: 0x9999 is not a VLAN TPID (0x8100, 0x88a8, 0x9100, 0x9200)',
  ]);
  for (const tpid of [0x8100, 0x88a8, 0x9100, 0x9200]) t.deepEqual(issuesOf(withTag({ vid: 7, tpid })), []);
});

test('PCP 0..7', (t) => {
  t.deepEqual(issuesOf(withTag({ vid: 7, pcp: 8 })), ['attachments[2].vlan.outer.pcp: 8 is out of range (0-7)']);
  t.deepEqual(issuesOf(withTag({ vid: 7, pcp: 7, dei: true })), []);
});

test('an inner tag needs an outer one', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'x', port: 'cust0', vlan: { inner: { vid: 5 } } });
  t.deepEqual(issuesOf(doc), ['attachments[2].vlan.outer: required (an inner tag needs an outer one)']);
});

test('attachment on an unknown port', (t) => {
  const doc = baseDoc();
  doc.attachments[1] = { name: 'cloud-a', port: 'cloud9', untagged: {} };
  t.deepEqual(issuesOf(doc), ['attachments[1].port: unknown port "cloud9" (did you mean "cloud0"?)']);
  doc.attachments[1] = { name: 'cloud-a', port: 'elsewhere', untagged: {} };
  t.deepEqual(issuesOf(doc), ['attachments[1].port: unknown port "elsewhere"']);
  doc.attachments[1] = { name: 'cloud-a', untagged: {} };
  t.deepEqual(issuesOf(doc), ['attachments[1].port: required']);
});

test('two attachments matching the same frames: both named', (t) => {
  const doc = baseDoc();
  doc.attachments.push(
    { name: 'b', port: 'cust0', vlan: { outer: { vid: 300 } } },
    // Same as attachments[0]: TPID defaults to 0x8100 there too.
    { name: 'c', port: 'cust0', vlan: { outer: { vid: 200, tpid: 0x8100 } } },
  );
  t.deepEqual(issuesOf(doc), ['attachments[3].vlan: matches the same frames as attachments[0] ("cust-a")']);
});

test('same VIDs under another TPID, on another port, or with another depth do not overlap', (t) => {
  const doc = baseDoc();
  doc.attachments.push(
    { name: 'b', port: 'cust0', vlan: { outer: { vid: 200, tpid: 0x88a8 } } },
    { name: 'c', port: 'cloud0', vlan: { outer: { vid: 200 } } },
    { name: 'd', port: 'cust0', vlan: { outer: { vid: 200, tpid: 0x8100 }, inner: { vid: 1 } } },
    { name: 'e', port: 'cust0', untagged: {} },
  );
  t.deepEqual(issuesOf(doc), []);
});

test('two-tag overlap uses the default TPIDs (0x88a8 outer, 0x8100 inner)', (t) => {
  const doc = baseDoc();
  doc.attachments.push({
    name: 'b',
    port: 'cloud0',
    vlan: { outer: { tpid: '0x88a8', vid: 100 }, inner: { tpid: 0x8100, vid: 200 } },
  });
  t.deepEqual(issuesOf(doc), ['attachments[2].vlan: matches the same frames as attachments[1] ("cloud-a")']);
});

test('two untagged attachments on one port overlap', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'u1', port: 'cust0', untagged: {} }, { name: 'u2', port: 'cust0', untagged: { wholePort: false } });
  t.deepEqual(issuesOf(doc), ['attachments[3].untagged: matches the same frames as attachments[2] ("u1")']);
});

test('a whole-port attachment must be alone on its port', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'all', port: 'cust0', untagged: { wholePort: true } });
  t.deepEqual(issuesOf(doc), [
    'attachments[2].untagged: matches the same frames as attachments[0] ("cust-a"); a whole-port attachment must be alone on its port',
  ]);
  const doc2 = baseDoc();
  doc2.attachments.unshift({ name: 'all', port: 'cust0', untagged: { wholePort: true } });
  t.deepEqual(issuesOf(doc2), [
    'attachments[1].vlan: matches the same frames as attachments[0] ("all"), which takes every frame of port "cust0"',
  ]);
});

test('service endpoint naming an unknown attachment', (t) => {
  const doc = baseDoc();
  doc.services[0] = { name: 'xc-a', xconnect: { endpoints: ['cust-a', 'cloud-b'] } };
  t.deepEqual(issuesOf(doc), ['services[0].xconnect.endpoints[1]: unknown attachment "cloud-b" (did you mean "cloud-a"?)']);
});

test('an attachment in two services', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'x', port: 'cust0', untagged: {} }, { name: 'y', port: 'cloud0', untagged: {} });
  doc.services.push({ name: 'xc-b', xconnect: { endpoints: ['x', 'y'] } }, { name: 'xc-c', xconnect: { endpoints: ['x', 'cust-a'] } });
  t.deepEqual(issuesOf(doc), [
    'services[2].xconnect.endpoints[0]: attachment "x" is already in services[1] ("xc-b")',
    'services[2].xconnect.endpoints[1]: attachment "cust-a" is already in services[0] ("xc-a")',
  ]);
});

test('an xconnect needs exactly two endpoints', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'x', port: 'cust0', untagged: {} });
  doc.services[0] = { name: 'xc-a', xconnect: { endpoints: ['cust-a', 'cloud-a', 'x'] } };
  t.deepEqual(issuesOf(doc), ['services[0].xconnect.endpoints: an xconnect joins exactly two attachments, got 3']);
  doc.services[0] = { name: 'xc-a', xconnect: { endpoints: ['cust-a'] } };
  t.deepEqual(issuesOf(doc), ['services[0].xconnect.endpoints: an xconnect joins exactly two attachments, got 1']);
  doc.services[0] = { name: 'xc-a', xconnect: {} };
  t.deepEqual(issuesOf(doc), ['services[0].xconnect.endpoints: an xconnect joins exactly two attachments, got 0']);
});

test('an xconnect of an attachment with itself', (t) => {
  const doc = baseDoc();
  doc.services[0] = { name: 'xc-a', xconnect: { endpoints: ['cust-a', 'cust-a'] } };
  t.deepEqual(issuesOf(doc), [
    'services[0].xconnect.endpoints[1]: "cust-a" is already endpoints[0]; an xconnect joins two different attachments',
  ]);
});

test('at most 64 ports', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  for (let i = 0; i < 63; i++) ports.push({ name: `p${i}` });
  t.deepEqual(issuesOf(doc), ['ports: 65 ports; at most 64 are supported']);
});

test('at most 16384 attachments', (t) => {
  const doc = baseDoc();
  // Distinct two-tag matches, so that the count is the only problem.
  for (let i = 0; i < 16383; i++) {
    doc.attachments.push({ name: `a${i}`, port: 'cust0', vlan: { outer: { vid: 1 + (i % 4094) }, inner: { vid: 1 + Math.floor(i / 4094) } } });
  }
  t.deepEqual(issuesOf(doc), ['attachments: 16385 attachments; at most 16384 are supported']);
  doc.attachments.pop();
  t.deepEqual(issuesOf(doc), []);
});

test('a schema version newer than this code is refused', (t) => {
  t.deepEqual(issuesOf({ ...baseDoc(), version: 2 }), ['version: 2 is newer than this cix understands (up to 1)']);
  t.deepEqual(issuesOf({ ...baseDoc(), version: 1 }), []);
});

test('every issue is collected, not only the first', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[0] = { name: 'cust0', mtu: 20000 };
  doc.attachments.push(
    { name: 'b', port: 'cloud9', vlan: { outer: { vid: 4095, tpid: 0x9999, pcp: 9 } } },
    { name: 'c', port: 'cust0', vlan: { outer: { vid: 200 } } },
  );
  doc.services.push({ name: 'xc-b', xconnect: { endpoints: ['b', 'nope'] } });
  const issues = issuesOf(doc);
  t.deepEqual(issues, [
    'ports[0].mtu: 20000 is out of range (68-9216)',
    'attachments[2].port: unknown port "cloud9" (did you mean "cloud0"?)',
    'attachments[2].vlan.outer.vid: 4095 is reserved (1-4094)',
    'attachments[2].vlan.outer.tpid: 0x9999 is not a VLAN TPID (0x8100, 0x88a8, 0x9100, 0x9200)',
    'attachments[2].vlan.outer.pcp: 9 is out of range (0-7)',
    'attachments[3].vlan: matches the same frames as attachments[0] ("cust-a")',
    'services[1].xconnect.endpoints[1]: unknown attachment "nope"',
  ]);
});

test('an attachment in no service and an unused port are warnings, not errors', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports.push({ name: 'spare' });
  doc.attachments.push({ name: 'idle', port: 'cust0', untagged: {} });
  const loaded = configFromValue(doc);
  t.deepEqual(loaded.warnings, [
    { path: 'ports[2]', message: 'no attachment uses port "spare"; its frames will be dropped (no_attachment)' },
    { path: 'attachments[2]', message: '"idle" is in no service; its frames will be dropped (no_service)' },
  ]);
  const { config } = checkSchema(doc);
  t.deepEqual(validateConfig(config).errors, []);
});
