/**
 * Network namespaces and veth pairs, made and removed with iproute2. Every
 * operation is idempotent (making what exists, removing what is gone: no
 * error), and sweep() removes everything whose name starts with a prefix,
 * so a lab or a test can always clean up after a crash of its own.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';

export const NETNS_DIR = '/run/netns';
const COMMAND_TIMEOUT_MS = 15_000;

export class LabCommandError extends Error {
  readonly code = 'CIX_LAB_COMMAND';
  constructor(readonly command: string, message: string, options?: { cause?: unknown }) {
    super(`${command}: ${message}`, options);
    this.name = 'LabCommandError';
  }
}

/** Runs a command; its standard output, or LabCommandError with what it said. */
export function run(file: string, args: readonly string[]): Promise<string> {
  const command = [file, ...args].join(' ');
  return new Promise((resolve, reject) => {
    execFile(file, [...args], { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
      if (err !== null) reject(new LabCommandError(command, (stderr || err.message).trim(), { cause: err }));
      else resolve(stdout);
    });
  });
}

export function ip(args: readonly string[]): Promise<string> {
  return run('ip', args);
}

/** Path of a namespace's handle, what nsenter --net= and setns take. */
export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** `nsenter --net=... CMD ARGS` inside a namespace; /sys stays the root namespace's (see README). */
export function inNetns(netns: string, file: string, args: readonly string[]): Promise<string> {
  return run('nsenter', [`--net=${netnsPath(netns)}`, file, ...args]);
}

export function listNetns(): string[] {
  try {
    return fs.readdirSync(NETNS_DIR).sort();
  } catch {
    return [];
  }
}

export function netnsExists(name: string): boolean {
  return fs.existsSync(netnsPath(name));
}

export async function addNetns(name: string): Promise<void> {
  if (netnsExists(name)) return;
  await ip(['netns', 'add', name]);
  // Loopback up; no IPv6, so that the kernel sends nothing (router solicitations, MLD) nobody asked for.
  await ip(['-n', name, 'link', 'set', 'lo', 'up']);
  await inNetns(name, 'sysctl', ['-qw', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1']);
}

/** Deleting a namespace deletes its interfaces, with the XDP programs attached to them. */
export async function delNetns(name: string): Promise<void> {
  if (!netnsExists(name)) return;
  try {
    await ip(['netns', 'del', name]);
  } catch (err: unknown) {
    if (netnsExists(name)) throw err;
  }
}

export interface VethEnd {
  netns: string;
  name: string;
}

async function linkExists(end: VethEnd): Promise<boolean> {
  try {
    await ip(['-n', end.netns, 'link', 'show', 'dev', end.name]);
    return true;
  } catch {
    return false;
  }
}

/**
 * A veth pair made directly inside two namespaces (never in the root
 * namespace, so nothing is left there if a step fails), `queues` queues
 * each way, both ends up.
 */
export async function addVethPair(a: VethEnd, b: VethEnd, queues = 1): Promise<void> {
  if (!(await linkExists(a))) {
    const q = ['numtxqueues', String(queues), 'numrxqueues', String(queues)];
    await ip(['link', 'add', a.name, 'netns', a.netns, ...q, 'type', 'veth', 'peer', 'name', b.name, 'netns', b.netns, ...q]);
  }
  await ip(['-n', a.netns, 'link', 'set', 'dev', a.name, 'up']);
  await ip(['-n', b.netns, 'link', 'set', 'dev', b.name, 'up']);
}

/** Interfaces in the root namespace whose name starts with prefix. */
export async function rootLinks(prefix: string): Promise<string[]> {
  const links = JSON.parse((await ip(['-j', 'link', 'show'])) || '[]') as { ifname?: string }[];
  return links.map((l) => l.ifname ?? '').filter((n) => n.startsWith(prefix));
}

/**
 * Removes every namespace and root-namespace interface whose name starts
 * with `prefix`; returns what it removed. Only exact prefixes: never a
 * broad match.
 */
export async function sweep(prefix: string): Promise<string[]> {
  if (prefix.length < 3) throw new Error(`sweep: prefix "${prefix}" is too broad`);
  const removed: string[] = [];
  for (const ns of listNetns().filter((n) => n.startsWith(prefix))) {
    await delNetns(ns);
    removed.push(`netns ${ns}`);
  }
  for (const link of await rootLinks(prefix)) {
    await ip(['link', 'del', 'dev', link]).catch(() => undefined);
    removed.push(`link ${link}`);
  }
  return removed;
}
