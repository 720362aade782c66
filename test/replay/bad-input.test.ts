/**
 * Bad input to `cix replay`: a clear one-line error on stderr, exit code 2,
 * and nothing written (not even the output directory).
 */
import test, { type ExecutionContext } from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { cix, tempDir } from '../helpers/cli';

const CONFIG = 'examples/qinq-xconnect.yaml';
const GOOD = 'examples/captures/cust0.pcap';

function refuses(t: ExecutionContext, args: string[], pattern: RegExp, out: string): void {
  const r = cix(args);
  t.is(r.status, 2, `exit code (stderr: ${r.stderr})`);
  t.regex(r.stderr, pattern);
  t.is(r.stdout, '');
  t.false(fs.existsSync(out), 'no output directory');
}

test('a missing capture', (t) => {
  const out = path.join(tempDir(t), 'out');
  refuses(t, ['replay', CONFIG, '--in', 'cust0=/nonexistent/cust.pcap', '--out', out], /^cix: \/nonexistent\/cust\.pcap: no such capture file\n$/, out);
});

test('a corrupt capture (not pcap at all)', (t) => {
  const dir = tempDir(t);
  const bad = path.join(dir, 'junk.pcap');
  fs.writeFileSync(bad, Buffer.from('this is not a capture file, just text\n'.repeat(4)));
  const out = path.join(dir, 'out');
  refuses(t, ['replay', CONFIG, '--in', `cust0=${bad}`, '--out', out], /^cix: .*junk\.pcap: .+\n$/, out);
});

test('a capture cut off in the middle of a frame writes nothing', (t) => {
  const dir = tempDir(t);
  const whole = fs.readFileSync(GOOD);
  const cut = path.join(dir, 'cut.pcap');
  fs.writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.7)));
  const out = path.join(dir, 'out');
  refuses(t, ['replay', CONFIG, '--in', `cust0=${cut}`, '--out', out], /^cix: .*truncated.*\n$/, out);
});

test('a failed run leaves an existing output directory as it was', (t) => {
  const dir = tempDir(t);
  const out = path.join(dir, 'out');
  fs.mkdirSync(out);
  fs.writeFileSync(path.join(out, 'keep.txt'), 'x');
  const whole = fs.readFileSync(GOOD);
  const cut = path.join(dir, 'cut.pcap');
  fs.writeFileSync(cut, whole.subarray(0, whole.length - 10));
  const r = cix(['replay', CONFIG, '--in', `cust0=${cut}`, '--out', out]);
  t.is(r.status, 2);
  t.deepEqual(fs.readdirSync(out), ['keep.txt']);
});

test('a capture that is not Ethernet', (t) => {
  const dir = tempDir(t);
  // pcap header with link type 101 (raw IP), no records.
  const hdr = Buffer.alloc(24);
  hdr.writeUInt32LE(0xa1b2c3d4, 0);
  hdr.writeUInt16LE(2, 4);
  hdr.writeUInt16LE(4, 6);
  hdr.writeUInt32LE(65535, 16);
  hdr.writeUInt32LE(101, 20);
  const raw = path.join(dir, 'raw.pcap');
  fs.writeFileSync(raw, hdr);
  const out = path.join(dir, 'out');
  refuses(t, ['replay', CONFIG, '--in', `cust0=${raw}`, '--out', out], /^cix: .*raw\.pcap: not an Ethernet capture \(link type RAW\)\n$/, out);
});

test('an unknown port name in --in', (t) => {
  const out = path.join(tempDir(t), 'out');
  refuses(t, ['replay', CONFIG, '--in', `cust9=${GOOD}`, '--out', out], /^cix: --in cust9=.*: no port "cust9" in examples\/qinq-xconnect\.yaml \(ports: cust0, cust1, cloud0\)\n$/, out);
});

test('a malformed --in', (t) => {
  const out = path.join(tempDir(t), 'out');
  refuses(t, ['replay', CONFIG, '--in', 'cust0', '--out', out], /^cix: --in cust0: expected PORT=FILE\n$/, out);
});

test('a bad configuration names the field', (t) => {
  const dir = tempDir(t);
  const cfg = path.join(dir, 'bad.yaml');
  fs.writeFileSync(cfg, fs.readFileSync(CONFIG, 'utf8').replace('outer: { vid: 200 }', 'outer: { vid: 4095 }'));
  const out = path.join(dir, 'out');
  refuses(t, ['replay', cfg, '--in', `cust0=${GOOD}`, '--out', out], /^cix: .*bad\.yaml: attachments\[0\]\.vlan\.outer\.vid: 4095 is reserved \(1-4094\)\n$/, out);
});

test('a configuration file that is not there', (t) => {
  const out = path.join(tempDir(t), 'out');
  refuses(t, ['replay', '/nonexistent/cix.yaml', '--in', `cust0=${GOOD}`, '--out', out], /^cix: \/nonexistent\/cix\.yaml: .+\n$/, out);
});

test('unknown options and commands are usage errors', (t) => {
  t.is(cix(['replay', CONFIG, '--bogus']).status, 2);
  t.is(cix(['frobnicate']).status, 2);
  t.is(cix(['replay', CONFIG, '--in', `cust0=${GOOD}`, '--out', '/tmp/x', '--burst', '0']).status, 2);
  t.is(cix(['replay', CONFIG, '--in', `cust0=${GOOD}`, '--in', `cust0=${GOOD}`, '--out', '/tmp/x']).status, 2);
});
