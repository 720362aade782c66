/**
 * The bench frame, decoded by an implementation we did not write (scapy,
 * Debian's /usr/bin/python3): 60 bytes stored (64 on the wire), IPv4 and UDP
 * checksums right, the addresses the bench says. Skipped when scapy is not
 * installed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';

import { BENCH_FRAME, buildFrame, JUMBO_FRAME, QINQ_FRAME } from '../frame';

const PY = '/usr/bin/python3';
const DECODE = `
import sys, json
from scapy.all import Ether, IP, UDP, raw
p = Ether(bytes.fromhex(sys.argv[1]))
ip, udp = p[IP], p[UDP]
got = (ip.chksum, udp.chksum)
ip2 = p.copy(); del ip2[IP].chksum; del ip2[UDP].chksum
re = Ether(raw(ip2))
print(json.dumps({"len": len(raw(p)), "dst": p.dst, "src": p.src, "ipsrc": ip.src, "ipdst": ip.dst,
  "sport": udp.sport, "dport": udp.dport, "ipok": got[0] == re[IP].chksum, "udpok": got[1] == re[UDP].chksum,
  "iplen": ip.len, "udplen": udp.len}))
`;

const haveScapy = existsSync(PY) && (() => {
  try {
    execFileSync(PY, ['-c', 'import scapy.all'], { stdio: 'ignore', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
})();

test('the 64-byte bench frame decodes as the bench says', { skip: !haveScapy && 'scapy not installed' }, () => {
  const f = buildFrame(BENCH_FRAME);
  assert.equal(f.length, 60);
  const d = JSON.parse(execFileSync(PY, ['-c', DECODE, f.toString('hex')], { encoding: 'utf8', timeout: 30_000 })) as Record<string, unknown>;
  assert.deepEqual(d, {
    len: 60, dst: BENCH_FRAME.dstMac, src: BENCH_FRAME.srcMac, ipsrc: BENCH_FRAME.srcIp, ipdst: BENCH_FRAME.dstIp,
    sport: BENCH_FRAME.srcPort, dport: BENCH_FRAME.dstPort, ipok: true, udpok: true, iplen: 46, udplen: 26,
  });
});

test('other sizes keep the lengths consistent', { skip: !haveScapy && 'scapy not installed' }, () => {
  const f = buildFrame({ ...BENCH_FRAME, wireSize: 594 });
  assert.equal(f.length, 590);
  const d = JSON.parse(execFileSync(PY, ['-c', DECODE, f.toString('hex')], { encoding: 'utf8', timeout: 30_000 })) as { ipok: boolean; udpok: boolean; iplen: number };
  assert.equal(d.iplen, 576);
  assert.ok(d.ipok && d.udpok);
});

test('the jumbo frame: 9014 bytes stored (9018 on the wire), a 9000-byte IPv4 packet, checksums right', { skip: !haveScapy && 'scapy not installed' }, () => {
  const f = buildFrame(JUMBO_FRAME);
  assert.equal(f.length, 9014);
  const d = JSON.parse(execFileSync(PY, ['-c', DECODE, f.toString('hex')], { encoding: 'utf8', timeout: 30_000 })) as { ipok: boolean; udpok: boolean; iplen: number; udplen: number };
  assert.equal(d.iplen, 9000);
  assert.equal(d.udplen, 8980);
  assert.ok(d.ipok && d.udpok);
  assert.throws(() => buildFrame({ ...JUMBO_FRAME, wireSize: 9019 }), /too large/);
});

test('the Q-in-Q frame: 64 bytes, S-tag 0x88a8 VID 100 then C-tag 0x8100 VID 200, checksums right', { skip: !haveScapy && 'scapy not installed' }, () => {
  const f = buildFrame(QINQ_FRAME);
  assert.equal(f.length, 60);
  const py = `
import sys, json
from scapy.all import Ether, Dot1AD, Dot1Q, IP, UDP, raw
p = Ether(bytes.fromhex(sys.argv[1]))
q = p.copy(); del q[IP].chksum; del q[UDP].chksum; re = Ether(raw(q))
print(json.dumps({"outer": [p.type, p[Dot1AD].vlan], "inner": [p[Dot1AD].type, p[Dot1Q].vlan], "l3": p[Dot1Q].type,
  "ipok": p[IP].chksum == re[IP].chksum, "udpok": p[UDP].chksum == re[UDP].chksum, "iplen": p[IP].len}))
`;
  const d = JSON.parse(execFileSync(PY, ['-c', py, f.toString('hex')], { encoding: 'utf8', timeout: 30_000 })) as Record<string, unknown>;
  assert.deepEqual(d, { outer: [0x88a8, 100], inner: [0x8100, 200], l3: 0x0800, ipok: true, udpok: true, iplen: 38 });
});
