/**
 * Network namespaces and veth pairs for the live tests, all named with the
 * prefix "cxw" so a sweep removes exactly what these tests make and nothing
 * else. cix runs in the root namespace on the host ends of the veths; the
 * peers sit in namespaces of their own, where scapy sends and receives.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { PYTHON, ROOT } from '../helpers/cli';

export const PREFIX = 'cxw';

function ip(args: string[], check = true): string {
  const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
  if (check && r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

/** Removes every namespace and root-namespace link whose name starts with the prefix. */
export function sweep(): void {
  for (const ns of ip(['netns', 'list'], false).split('\n')) {
    const name = ns.split(' ')[0];
    if (name?.startsWith(`${PREFIX}-`)) ip(['netns', 'del', name], false);
  }
  const links = JSON.parse(ip(['-j', 'link', 'show'], false) || '[]') as Array<{ ifname: string }>;
  for (const l of links) if (l.ifname.startsWith(PREFIX)) ip(['link', 'del', l.ifname], false);
}

/** One veth pair: `host` in the root namespace (cix's port), `peer` inside `netns`. */
export interface Side {
  netns: string;
  host: string;
  peer: string;
}

function disableIpv6(netns: string | undefined, ifname: string): void {
  // No router solicitations or MLD reports: the only frames are the test's.
  const file = `/proc/sys/net/ipv6/conf/${ifname}/disable_ipv6`;
  if (netns === undefined) fs.writeFileSync(file, '1');
  else ip(['netns', 'exec', netns, 'sh', '-c', `echo 1 > ${file}`]);
}

export function makeSide(tag: string, queues = 1): Side {
  const side = { netns: `${PREFIX}-${tag}`, host: `${PREFIX}${tag}`, peer: `${PREFIX}${tag}p` };
  ip(['netns', 'add', side.netns]);
  const q = ['numtxqueues', `${queues}`, 'numrxqueues', `${queues}`];
  ip(['link', 'add', side.host, ...q, 'type', 'veth', 'peer', 'name', side.peer, ...q, 'netns', side.netns]);
  disableIpv6(undefined, side.host);
  disableIpv6(side.netns, side.peer);
  ip(['-n', side.netns, 'link', 'set', side.peer, 'up']);
  ip(['link', 'set', side.host, 'up']);
  return side;
}

export function removeSide(side: Side): void {
  ip(['link', 'del', side.host], false);
  ip(['netns', 'del', side.netns], false);
}

/** Whether an XDP program is attached to a root-namespace interface. */
export function hasXdp(ifname: string): boolean {
  const out = ip(['-d', '-j', 'link', 'show', 'dev', ifname], false);
  if (out.trim() === '') return false;
  const [link] = JSON.parse(out) as Array<{ xdp?: unknown }>;
  return link?.xdp !== undefined;
}

/** [tpid, vid, pcp, dei], outer first. */
export type Tag = [number, number, number, number];

export interface TrafficCase {
  send: Tag[];
  expect: Tag[];
  count?: number;
  size?: number;
}

export interface TrafficResult {
  sent: number;
  received: number;
  bad: string[];
  duplicates: number;
  missing: number[];
}

interface TrafficSpec {
  tx: Side;
  rx: Side;
  cases: TrafficCase[];
  timeout?: number;
  count?: number;
  pps?: number;
}

/** Runs test/dataplane/live_traffic.py (scapy) from tx's peer to rx's peer; resolves with its report. */
export function traffic(mode: 'exchange' | 'stream', spec: TrafficSpec): Promise<TrafficResult> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cxw-traffic-'));
  const file = path.join(dir, 'spec.json');
  fs.writeFileSync(
    file,
    JSON.stringify({
      tx: [spec.tx.netns, spec.tx.peer],
      rx: [spec.rx.netns, spec.rx.peer],
      cases: spec.cases,
      timeout: spec.timeout ?? 5,
      count: spec.count,
      pps: spec.pps,
    }),
  );
  const script = path.join(ROOT, 'test', 'dataplane', 'live_traffic.py');
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, mode, file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      fs.rmSync(dir, { recursive: true, force: true });
      if (code !== 0) {
        reject(new Error(`live_traffic.py ${mode} exited ${code}: ${err.trim().split('\n').slice(-5).join(' | ')}`));
        return;
      }
      try {
        resolve(JSON.parse(out) as TrafficResult);
      } catch {
        reject(new Error(`live_traffic.py: no report (${out.slice(0, 200)} ${err.slice(-300)})`));
      }
    });
  });
}

/** Open file descriptors of this process, each as "fd -> what" ("7 -> anon_inode:bpf-prog"). */
export function openFds(): string[] {
  return fs.readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      return [`${fd} -> ${fs.readlinkSync(`/proc/self/fd/${fd}`)}`];
    } catch {
      return []; // the directory's own descriptor, gone by now
    }
  });
}

/** This process's threads by name, with the CPUs each may run on ("cix-w0" -> "1"). */
export function threads(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const name = fs.readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim();
      const cpus = /Cpus_allowed_list:\s*(\S+)/.exec(fs.readFileSync(`/proc/self/task/${tid}/status`, 'utf8'))?.[1] ?? '';
      out.set(name, [...(out.get(name) ?? []), cpus]);
    } catch {
      // the thread ended meanwhile
    }
  }
  return out;
}
