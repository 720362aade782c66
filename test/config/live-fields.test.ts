import test from 'ava';

import { checkSchema, configFromValue, parseCpuList, validateLive } from '../../src/config';
import { baseDoc, issuesOf } from './helpers';

type Doc = ReturnType<typeof baseDoc> & { dataplane?: Record<string, unknown> };

function withPorts(ports: Record<string, unknown>[], dataplane?: Record<string, unknown>): Doc {
  const doc: Doc = baseDoc();
  doc.ports = ports as Doc['ports'];
  if (dataplane) doc.dataplane = dataplane;
  return doc;
}

test('dataplane: defaults are one worker, no pinning, 64-frame bursts', (t) => {
  t.deepEqual(configFromValue(baseDoc()).dataplane, { workers: 1, cpus: [], burst: 64 });
  t.deepEqual(configFromValue({ ...baseDoc(), dataplane: { workers: 2, cpus: [1, 0], burst: 256 } }).dataplane, {
    workers: 2,
    cpus: [1, 0],
    burst: 256,
  });
});

test('dataplane: workers 1..64, burst 1..256, cpus one per worker or none', (t) => {
  t.deepEqual(issuesOf({ ...baseDoc(), dataplane: { workers: 0, burst: 0 } }), [
    'dataplane.workers: 0 is out of range (1-64)',
    'dataplane.burst: 0 is out of range (1-256)',
  ]);
  t.deepEqual(issuesOf({ ...baseDoc(), dataplane: { workers: 65, burst: 257 } }), [
    'dataplane.workers: 65 is out of range (1-64)',
    'dataplane.burst: 257 is out of range (1-256)',
  ]);
  t.deepEqual(issuesOf({ ...baseDoc(), dataplane: { workers: 2, cpus: [3] } }), [
    'dataplane.cpus: 1 CPUs for 2 workers; give one per worker, or none',
  ]);
  t.deepEqual(issuesOf({ ...baseDoc(), dataplane: { cpus: [0, 1] } }), ['dataplane.cpus: 2 CPUs for 1 worker; give one per worker, or none']);
  t.deepEqual(configFromValue({ ...baseDoc(), dataplane: { workers: 2, cpus: [1, 1] } }).warnings.map((w) => w.path), ['dataplane.cpus[1]']);
});

test('ports: xdpMode only on afxdp ports, short names accepted', (t) => {
  const cfg = configFromValue(
    withPorts([
      { name: 'cust0', interface: 'eth0', driver: 'afxdp', xdpMode: 'skb' },
      { name: 'cloud0', interface: 'eth1', xdp_mode: 'XDP_MODE_NATIVE' },
    ]),
  );
  t.deepEqual(
    cfg.ports.map((p) => [p.driver, p.xdpMode]),
    [
      ['afxdp', 'skb'],
      ['afxdp', 'native'],
    ],
  );
  t.deepEqual(issuesOf(withPorts([{ name: 'cust0', driver: 'afpacket', xdpMode: 'native' }, { name: 'cloud0' }])), [
    "ports[0].xdpMode: only for driver afxdp (this port's driver is afpacket)",
  ]);
  t.is(configFromValue(baseDoc()).ports[0]!.xdpMode, 'auto');
});

test('ports: interface names are Linux interface names, one port each', (t) => {
  t.deepEqual(
    issuesOf(
      withPorts([
        { name: 'cust0', interface: 'a'.repeat(16) },
        { name: 'cloud0', interface: 'eth0:1' },
        { name: 'p2', interface: 'a b' },
        { name: 'p3', interface: '..' },
        { name: 'p4', interface: 'ens1f0' },
        { name: 'p5', interface: 'ens1f0' },
      ]),
    ).filter((i) => !i.includes('no attachment')),
    [
      `ports[0].interface: "${'a'.repeat(16)}" is not a valid interface name (longer than 15 bytes)`,
      'ports[1].interface: "eth0:1" is not a valid interface name (no "/", ":" or whitespace, and not "." or "..")',
      'ports[2].interface: "a b" is not a valid interface name (no "/", ":" or whitespace, and not "." or "..")',
      'ports[3].interface: ".." is not a valid interface name (no "/", ":" or whitespace, and not "." or "..")',
      'ports[5].interface: "ens1f0" is already the interface of ports[4] ("p4")',
    ],
  );
  t.deepEqual(issuesOf(withPorts([{ name: 'cust0', interface: 'a'.repeat(15) }, { name: 'cloud0', interface: 'veth-1.2_x' }])), []);
});

test('ports: addresses are host addresses with a prefix, unique across ports', (t) => {
  const cfg = configFromValue(withPorts([{ name: 'cust0', addresses: ['192.0.2.1/24', '198.51.100.0/31'] }, { name: 'cloud0', addresses: ['203.0.113.7/32'] }]));
  t.deepEqual(cfg.ports[0]!.addresses, [
    { address: '192.0.2.1', prefixLength: 24 },
    { address: '198.51.100.0', prefixLength: 31 },
  ]);
  t.deepEqual(
    issuesOf(
      withPorts([
        { name: 'cust0', addresses: ['192.0.2.1', '192.0.2.0/24', '192.0.2.255/24', '010.0.0.1/8', '1.2.3.256/8', '10.0.0.1/33', '10.0.0.1/0'] },
        { name: 'cloud0', addresses: ['224.0.0.5/24', '127.0.0.1/8', '0.1.2.3/8', '255.255.255.255/32', '192.0.2.9/24', '192.0.2.9/25'] },
      ]),
    ),
    [
      'ports[0].addresses[0]: "192.0.2.1": expected an IPv4 address with its prefix length, like "192.0.2.1/24"',
      'ports[0].addresses[1]: 192.0.2.0 is the network address of 192.0.2.0/24',
      'ports[0].addresses[2]: 192.0.2.255 is the broadcast address of its /24',
      'ports[0].addresses[3]: "010.0.0.1/8": expected an IPv4 address with its prefix length, like "192.0.2.1/24"',
      'ports[0].addresses[4]: "1.2.3.256/8": an octet is above 255',
      'ports[0].addresses[5]: "10.0.0.1/33": prefix length 33 is out of range (1-32)',
      'ports[0].addresses[6]: "10.0.0.1/0": prefix length 0 is out of range (1-32)',
      'ports[1].addresses[0]: 224.0.0.5 is a multicast address',
      'ports[1].addresses[1]: 127.0.0.1 is a loopback address',
      'ports[1].addresses[2]: 0.1.2.3 is in 0.0.0.0/8 ("this network"), not a host address',
      'ports[1].addresses[3]: 255.255.255.255 is the limited broadcast address',
      'ports[1].addresses[5]: 192.0.2.9 is already ports[1].addresses[4]',
    ],
  );
  const many = Array.from({ length: 17 }, (_, i) => `10.0.${i}.1/24`);
  t.deepEqual(issuesOf(withPorts([{ name: 'cust0', addresses: many }, { name: 'cloud0' }])), ['ports[0].addresses: 17 addresses; at most 16 per port are supported']);
});

test('validateLive: cix run needs live drivers with interfaces and CPUs that exist', (t) => {
  const host = { onlineCpus: parseCpuList('0-1\n') };
  const check = (doc: unknown) => {
    const r = checkSchema(doc);
    t.deepEqual(r.issues, []);
    return validateLive(r.config, host).map((i) => `${i.path}: ${i.message}`);
  };
  t.deepEqual(check(withPorts([{ name: 'cust0', interface: 'eth0' }, { name: 'cloud0', interface: 'eth1', driver: 'afpacket' }])), []);
  t.deepEqual(check(withPorts([{ name: 'cust0', driver: 'pcap', interface: 'eth0' }, { name: 'cloud0', driver: 'mem' }])), [
    'ports[0].driver: pcap cannot run live; cix run moves frames with afxdp or afpacket (pcap is for replay and benchmarks)',
    'ports[1].driver: mem cannot run live; cix run moves frames with afxdp or afpacket (mem is for replay and benchmarks)',
  ]);
  t.deepEqual(check(withPorts([{ name: 'cust0' }, { name: 'cloud0', interface: 'eth1', driver: 'afpacket' }])), [
    'ports[0].interface: required for driver afxdp (the OS interface to bind to)',
  ]);
  t.deepEqual(check({ ...withPorts([{ name: 'cust0', interface: 'eth0' }, { name: 'cloud0', interface: 'eth1' }]), dataplane: { workers: 2, cpus: [1, 2] } }), [
    'dataplane.cpus[1]: CPU 2 is not online on this machine (online: 0-1)',
  ]);
  t.deepEqual(check({ ports: [] }), ['ports: cix run needs at least one port']);
});

test('parseCpuList reads the kernel cpu list format', (t) => {
  t.deepEqual([...parseCpuList('0-3,6,8-9\n')], [0, 1, 2, 3, 6, 8, 9]);
  t.deepEqual([...parseCpuList('0\n')], [0]);
});
