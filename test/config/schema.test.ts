import test from 'ava';

import { checkSchema, configFromValue, toInteger } from '../../src/config';
import { baseDoc, issuesOf } from './helpers';

test('the base document is valid', (t) => {
  t.deepEqual(issuesOf(baseDoc()), []);
});

test('unknown key is refused, with a suggestion', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[0] = { name: 'cust0', mtuu: 1500 };
  t.deepEqual(issuesOf(doc), ['ports[0].mtuu: unknown field (did you mean "mtu"?)']);
});

test('unknown key with nothing close lists the fields', (t) => {
  const doc = { ...baseDoc(), colour: 'blue' };
  t.deepEqual(issuesOf(doc), ['colour: unknown field (expected ports, attachments, services, dataplane, version)']);
});

test('a reserved field is "not supported yet", not unknown', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[0] = { name: 'cust0', macsec: {} };
  t.deepEqual(issuesOf(doc), ['ports[0].macsec: not supported yet (reserved for a later version of cix)']);
});

test('wrong types name the path, the expectation and the value', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[1] = { name: 'cloud0', mtu: 'big' };
  doc.attachments[0] = { name: 'cust-a', port: 'cust0', untagged: { wholePort: 'yes' } };
  t.deepEqual(issuesOf(doc), [
    'ports[1].mtu: expected an unsigned integer, got "big"',
    'attachments[0].untagged.wholePort: expected true or false, got "yes"',
  ]);
});

test('more wrong types: list, mapping, string, negative, fraction', (t) => {
  const issues = issuesOf({
    ports: { name: 'x' },
    attachments: [{ name: 7, port: 'x', vlan: { outer: { vid: -1, pcp: 1.5 } } }],
    services: 'none',
  });
  t.deepEqual(issues, [
    'ports: expected a list, got a mapping',
    'attachments[0].name: expected a string, got 7 (put it in quotes)',
    'attachments[0].vlan.outer.vid: expected an unsigned integer, got -1',
    'attachments[0].vlan.outer.pcp: expected an unsigned integer, got 1.5',
    'services: expected a list, got "none"',
  ]);
});

test('oneof: none given', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'c', port: 'cust0' });
  t.deepEqual(issuesOf(doc), ['attachments[2]: one of untagged, vlan is required']);
});

test('oneof: two given', (t) => {
  const doc = baseDoc();
  doc.attachments.push({ name: 'c', port: 'cust0', untagged: {}, vlan: { outer: { vid: 5 } } });
  t.deepEqual(issuesOf(doc), ['attachments[2]: only one of untagged, vlan may be given, got untagged and vlan']);
});

test('oneof of services too', (t) => {
  const doc = baseDoc();
  doc.services[0] = { name: 'xc-a' };
  t.deepEqual(issuesOf(doc), ['services[0]: one of xconnect is required']);
});

test('a bare key (YAML null) is an empty message, so `untagged:` works', (t) => {
  const doc = baseDoc();
  doc.attachments[0] = { name: 'cust-a', port: 'cust0', untagged: null };
  const cfg = configFromValue(doc);
  t.deepEqual(cfg.attachments[0]!.match, { kind: 'untagged', tags: [] });
});

test('snake_case and lowerCamelCase are both accepted, but not both at once', (t) => {
  const doc = baseDoc();
  doc.attachments[0] = { name: 'cust-a', port: 'cust0', untagged: { whole_port: true } };
  t.is(configFromValue(doc).attachments[0]!.match.kind, 'wholePort');
  doc.attachments[0] = { name: 'cust-a', port: 'cust0', untagged: { whole_port: true, wholePort: true } };
  t.deepEqual(issuesOf(doc), ['attachments[0].untagged.wholePort: the same field as "whole_port"; give it once']);
});

test('enums by full name, short name, any case, or number', (t) => {
  for (const driver of ['DRIVER_AFXDP', 'afxdp', 'AfXdp', 3]) {
    const doc = baseDoc();
    const ports: Record<string, unknown>[] = doc.ports;
    ports[0] = { name: 'cust0', driver };
    t.is(configFromValue(doc).ports[0]!.driver, 'afxdp', String(driver));
  }
});

test('a wrong enum says which values are allowed', (t) => {
  const doc = baseDoc();
  const ports: Record<string, unknown>[] = doc.ports;
  ports[0] = { name: 'cust0', driver: 'afxpd' };
  ports[1] = { name: 'cloud0', driver: 'netmap' };
  t.deepEqual(issuesOf(doc), [
    'ports[0].driver: "afxpd" is not a driver; allowed: pcap, mem, afxdp, afpacket, dpdk (did you mean "afxdp"?)',
    'ports[1].driver: "netmap" is not a driver; allowed: pcap, mem, afxdp, afpacket, dpdk',
  ]);
});

test('integers as decimal or 0x-hex strings', (t) => {
  t.is(toInteger('0x88a8'), 0x88a8);
  t.is(toInteger('0X9100'), 0x9100);
  t.is(toInteger(' 42 '), 42);
  t.is(toInteger('4e3'), undefined);
  t.is(toInteger('0x'), undefined);
  t.is(toInteger(1.5), undefined);
  const doc = baseDoc();
  doc.attachments[1] = { name: 'cloud-a', port: 'cloud0', vlan: { outer: { tpid: '0x8100', vid: '100' }, inner: { vid: 200 } } };
  const tags = configFromValue(doc).attachments[1]!.match.tags;
  t.is(tags[0]!.tpid, 0x8100);
  t.is(tags[0]!.vid, 100);
});

test('the top of the document must be a mapping', (t) => {
  t.deepEqual(issuesOf(['ports']), ['the configuration must be a mapping (ports, attachments, services), got a list']);
  t.deepEqual(issuesOf(undefined), ['the configuration is empty (expected ports, attachments and services)']);
  t.deepEqual(issuesOf('hello'), ['the configuration must be a mapping (ports, attachments, services), got "hello"']);
});

test('checkSchema fills proto3 zeros and leaves presence fields out', (t) => {
  const { config, issues } = checkSchema({ ports: [{ name: 'p' }] });
  t.deepEqual(issues, []);
  t.deepEqual(config, {
    ports: [{ name: 'p', interface: '', driver: 'DRIVER_UNSPECIFIED', xdpMode: 'XDP_MODE_UNSPECIFIED', addresses: [] }],
    attachments: [],
    services: [],
    version: 0,
  });
});

test('keys that look like prototype tricks are just unknown fields', (t) => {
  const doc: Record<string, unknown> = JSON.parse('{"ports": [], "__proto__": {"x": 1}}');
  t.deepEqual(issuesOf(doc), ['__proto__: unknown field (expected ports, attachments, services, dataplane, version)']);
  t.is(({} as Record<string, unknown>)['x'], undefined);
});
