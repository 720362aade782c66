import test from 'ava';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import { ConfigError, ConfigFileError, loadConfigFile, parseConfigText } from '../../src/config';
import { issuesOfText } from './helpers';

const QINQ_YAML = `
ports:
  - name: cust0
  - name: cloud0
    mtu: 9000
attachments:
  - name: a-edge
    port: cust0
    vlan:
      outer: { vid: 200 }
  - name: a-cloud
    port: cloud0
    vlan:
      outer: { tpid: 0x88a8, vid: 100 }    # YAML 1.2 core: a number already
      inner: { tpid: "0x8100", vid: 200 }  # quoted: a string holding hex
services:
  - name: xc
    xconnect: { endpoints: [a-edge, a-cloud] }
`;

async function tmpFile(name: string, text: string): Promise<string> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'cix-config-'));
  const file = path.join(dir, name);
  await fs.promises.writeFile(file, text);
  return file;
}

test('YAML with hex TPIDs, as numbers and as strings', (t) => {
  const cfg = parseConfigText(QINQ_YAML, 'qinq.yaml');
  const tags = cfg.attachments[1]!.match.tags;
  t.deepEqual(tags, [
    { tpid: 0x88a8, vid: 100, pcp: undefined, dei: undefined },
    { tpid: 0x8100, vid: 200, pcp: undefined, dei: undefined },
  ]);
  t.is(cfg.file, 'qinq.yaml');
  t.deepEqual(cfg.warnings, []);
});

test('defaults are filled in', (t) => {
  const cfg = parseConfigText(QINQ_YAML, 'qinq.yaml');
  t.is(cfg.ports[0]!.mtu, 1500);
  t.is(cfg.ports[1]!.mtu, 9000);
  t.is(cfg.ports[0]!.interface, undefined);
  t.is(cfg.ports[0]!.driver, process.platform === 'linux' ? 'afxdp' : 'pcap');
  t.is(cfg.version, 0);
  t.deepEqual(cfg.attachments[0]!.match, { kind: 'outer', tags: [{ tpid: 0x8100, vid: 200, pcp: undefined, dei: undefined }] });
  t.deepEqual(cfg.services, [{ name: 'xc', kind: 'xconnect', endpoints: ['a-edge', 'a-cloud'] }]);
});

test('a JSON file loads', async (t) => {
  const file = await tmpFile(
    'c.json',
    JSON.stringify({
      ports: [{ name: 'a' }, { name: 'b', driver: 'DRIVER_PCAP' }],
      attachments: [
        { name: 'x', port: 'a', untagged: { wholePort: true } },
        { name: 'y', port: 'b', vlan: { outer: { vid: 7, pcp: 3, dei: true } } },
      ],
      services: [{ name: 's', xconnect: { endpoints: ['x', 'y'] } }],
    }),
  );
  const cfg = await loadConfigFile(file);
  t.is(cfg.ports[1]!.driver, 'pcap');
  t.deepEqual(cfg.attachments[0]!.match, { kind: 'wholePort', tags: [] });
  t.deepEqual(cfg.attachments[1]!.match.tags, [{ tpid: 0x8100, vid: 7, pcp: 3, dei: 1 }]);
  t.is(cfg.file, file);
});

test('a JSON syntax error names the line and column', (t) => {
  const err = t.throws(() => parseConfigText('{\n  "ports": [],\n}\n', 'bad.json'), { instanceOf: ConfigFileError });
  t.is(err?.code, 'CIX_CONFIG_FILE');
  t.is(err?.line, 3);
  t.is(err?.col, 1);
  t.regex(err?.message ?? '', /^bad\.json:3:1: invalid JSON: /);
  t.true(err?.cause instanceof SyntaxError);
});

test('duplicate keys in JSON are refused too', (t) => {
  const err = t.throws(() => parseConfigText('{"ports": [], "ports": []}', 'dup.json'), { instanceOf: ConfigFileError });
  t.is(err?.message, 'dup.json:1:15: duplicate key "ports" (a key may appear once per mapping)');
});

test('a duplicate YAML key is refused with its position', (t) => {
  const text = 'ports:\n  - name: cust0\n    mtu: 1500\n    mtu: 9000\n';
  const err = t.throws(() => parseConfigText(text, 'dup.yaml'), { instanceOf: ConfigFileError });
  t.is(err?.message, 'dup.yaml:4:5: duplicate key "mtu" (a key may appear once per mapping)');
  t.is(err?.line, 4);
  t.is(err?.col, 5);
});

test('a YAML syntax error names the line and column', (t) => {
  const err = t.throws(() => parseConfigText('ports:\n  - name: [a,\n', 'bad.yaml'), { instanceOf: ConfigFileError });
  t.regex(err?.message ?? '', /^bad\.yaml:\d+:\d+: /);
  t.truthy(err?.line);
});

test('more than one YAML document is refused', (t) => {
  t.throws(() => parseConfigText('ports: []\n---\nports: []\n', 'two.yaml'), { instanceOf: ConfigFileError, message: /two\.yaml:2:1: / });
});

test('an empty file, or one of comments only, is a ConfigError', (t) => {
  for (const text of ['', '   \n', '# nothing here\n']) {
    t.deepEqual(issuesOfText(text), ['the configuration is empty (expected ports, attachments and services)']);
  }
  t.deepEqual(issuesOfText('', 'empty.json'), ['the configuration is empty (expected ports, attachments and services)']);
});

test('a file whose top is not a mapping is a ConfigError', (t) => {
  t.deepEqual(issuesOfText('- ports\n'), ['the configuration must be a mapping (ports, attachments, services), got a list']);
  t.deepEqual(issuesOfText('42\n'), ['the configuration must be a mapping (ports, attachments, services), got 42']);
});

test('a missing file is a ConfigFileError with its cause', async (t) => {
  const file = path.join(os.tmpdir(), 'cix-no-such-dir', 'none.yaml');
  const err = await t.throwsAsync(loadConfigFile(file), { instanceOf: ConfigFileError });
  t.regex(err?.message ?? '', /cannot read: .*ENOENT/);
  t.is((err?.cause as NodeJS.ErrnoException | undefined)?.code, 'ENOENT');
});

test('a directory is not a configuration file', async (t) => {
  await t.throwsAsync(loadConfigFile(os.tmpdir()), { instanceOf: ConfigFileError, message: /not a regular file/ });
});

test('ConfigError: code, every issue, first one in the message with the count of the rest', (t) => {
  const text = `
ports:
  - name: cust0
    mtu: 10
attachments:
  - name: a
    port: cloud9
    vlan: { outer: { vid: 4095 } }
services: []
`;
  const err = t.throws(() => parseConfigText(text, 'c.yaml'), { instanceOf: ConfigError });
  t.is(err?.code, 'CIX_CONFIG_INVALID');
  t.is(err?.message, 'ports[0].mtu: 10 is out of range (68-9216) (and 2 more)');
  t.deepEqual(err?.issues, [
    { path: 'ports[0].mtu', message: '10 is out of range (68-9216)' },
    { path: 'attachments[0].port', message: 'unknown port "cloud9"' },
    { path: 'attachments[0].vlan.outer.vid', message: '4095 is reserved (1-4094)' },
  ]);
  t.is(err?.file, 'c.yaml');
  t.is(
    err?.report(),
    [
      'c.yaml: ports[0].mtu: 10 is out of range (68-9216)',
      'c.yaml: attachments[0].port: unknown port "cloud9"',
      'c.yaml: attachments[0].vlan.outer.vid: 4095 is reserved (1-4094)',
    ].join('\n'),
  );
});

test('a single issue has no "(and N more)"', (t) => {
  const err = t.throws(() => parseConfigText('ports: [{name: a, mtuu: 1}]\n', 'c.yaml'), { instanceOf: ConfigError });
  t.is(err?.message, 'ports[0].mtuu: unknown field (did you mean "mtu"?)');
});

test('structural issues are reported before (and instead of) semantic ones', (t) => {
  const text = 'ports: [{name: a, mtu: big}]\nattachments: [{name: x, port: nowhere, untagged: {}}]\n';
  t.deepEqual(issuesOfText(text), ['ports[0].mtu: expected an unsigned integer, got "big"']);
});

test('YAML 1.2: yes/no/on are strings, not booleans', (t) => {
  const text = 'ports: [{name: a}]\nattachments: [{name: x, port: a, untagged: {wholePort: yes}}]\n';
  t.deepEqual(issuesOfText(text), ['attachments[0].untagged.wholePort: expected true or false, got "yes"']);
});

test('a byte-order mark is ignored', (t) => {
  t.notThrows(() => parseConfigText('\ufeffports: []\n', 'bom.yaml'));
});
