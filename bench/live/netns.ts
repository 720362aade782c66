/**
 * Network namespaces and veth pairs for the live benchmark, with iproute2.
 *
 * Every name the bench makes starts with PREFIX ("cxb"), so that a sweep
 * removes exactly what this bench (or an interrupted run of it) left, never
 * anything of the lab, the tests or the host. Deleting a namespace deletes
 * its interfaces, the veth peers in other namespaces and the XDP programs
 * attached to them.
 */
import { runCommand } from './exec';

export const PREFIX = 'cxb';
const IP_TIMEOUT_MS = 10_000;

/** One end of a veth pair: its name and the namespace it lives in. */
export interface Endpoint {
  ns: string;
  ifname: string;
}

/** The counters of an interface that a trial compares (iproute2's stats64). */
export interface LinkCounters {
  rxPackets: number;
  rxDropped: number;
  txPackets: number;
  txDropped: number;
}

interface IpStats64 {
  rx?: { packets?: number; dropped?: number };
  tx?: { packets?: number; dropped?: number };
}

export class Net {
  constructor(private readonly signal?: AbortSignal) {}

  private ip(args: string[]): Promise<string> {
    return runCommand('ip', args, { timeoutMs: IP_TIMEOUT_MS, signal: this.signal });
  }

  /** A namespace with IPv6 off, so that nothing but the bench's frames crosses its links. */
  async addNetns(name: string): Promise<void> {
    checkOurs(name);
    await this.ip(['netns', 'add', name]);
    await runCommand(
      'ip',
      ['netns', 'exec', name, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.disable_ipv6=1', 'net.ipv6.conf.default.disable_ipv6=1'],
      { timeoutMs: IP_TIMEOUT_MS, signal: this.signal },
    );
  }

  /** A veth pair with one queue each way, its ends made in their namespaces and left down. */
  async addVeth(a: Endpoint, b: Endpoint): Promise<void> {
    checkOurs(a.ifname);
    checkOurs(b.ifname);
    await this.ip([
      'link', 'add', a.ifname, 'numtxqueues', '1', 'numrxqueues', '1', 'netns', a.ns,
      'type', 'veth', 'peer', 'name', b.ifname, 'numtxqueues', '1', 'numrxqueues', '1', 'netns', b.ns,
    ]);
  }

  async setMtu(e: Endpoint, mtu: number): Promise<void> {
    await this.ip(['-n', e.ns, 'link', 'set', 'dev', e.ifname, 'mtu', String(mtu)]);
  }

  async up(e: Endpoint): Promise<void> {
    await this.ip(['-n', e.ns, 'link', 'set', 'dev', e.ifname, 'up']);
  }

  /**
   * GRO on: the veth then receives through NAPI (its own ring), which it
   * must to take XDP frames from the XDP sender (cix_live_gen --mode xdp).
   */
  async setGro(e: Endpoint): Promise<void> {
    await runCommand('ip', ['netns', 'exec', e.ns, 'ethtool', '-K', e.ifname, 'gro', 'on'], {
      timeoutMs: IP_TIMEOUT_MS,
      signal: this.signal,
    });
  }

  /** A Linux bridge joining `ports` (all in `ns`), with a static entry sending `mac` to `macPort`. */
  async addBridge(ns: string, name: string, ports: string[], mac: string, macPort: string): Promise<void> {
    checkOurs(name);
    // STP off (the default) puts ports straight into forwarding; no VLAN filtering.
    await this.ip(['-n', ns, 'link', 'add', name, 'type', 'bridge', 'stp_state', '0']);
    for (const p of ports) await this.ip(['-n', ns, 'link', 'set', 'dev', p, 'master', name]);
    await this.ip(['-n', ns, 'link', 'set', 'dev', name, 'up']);
    for (const p of ports) await this.ip(['-n', ns, 'link', 'set', 'dev', p, 'up']);
    // The sink never sends, so the bridge would never learn where `mac` is and would
    // flood; a static entry makes every frame a known-unicast forward.
    await runCommand('bridge', ['-n', ns, 'fdb', 'add', mac, 'dev', macPort, 'master', 'static'], {
      timeoutMs: IP_TIMEOUT_MS,
      signal: this.signal,
    });
  }

  async counters(e: Endpoint): Promise<LinkCounters> {
    const out = JSON.parse(await this.ip(['-j', '-s', '-n', e.ns, 'link', 'show', 'dev', e.ifname])) as { stats64?: IpStats64 }[];
    const s = out[0]?.stats64 ?? {};
    return {
      rxPackets: s.rx?.packets ?? 0,
      rxDropped: s.rx?.dropped ?? 0,
      txPackets: s.tx?.packets ?? 0,
      txDropped: s.tx?.dropped ?? 0,
    };
  }

  async delNetns(name: string): Promise<void> {
    checkOurs(name);
    await this.ip(['netns', 'del', name]);
  }

  /**
   * Removes every namespace and root-namespace interface whose name starts
   * with PREFIX (what an earlier, interrupted run left). Errors are returned,
   * not thrown: a sweep does all it can.
   */
  async sweep(): Promise<string[]> {
    const problems: string[] = [];
    const netns = JSON.parse((await this.ip(['-j', 'netns', 'list'])) || '[]') as { name?: string }[];
    for (const { name } of netns) {
      if (name?.startsWith(PREFIX)) await this.delNetns(name).catch((e: Error) => problems.push(e.message));
    }
    const links = JSON.parse((await this.ip(['-j', 'link', 'show'])) || '[]') as { ifname?: string }[];
    for (const { ifname } of links) {
      if (ifname?.startsWith(PREFIX)) await this.ip(['link', 'del', 'dev', ifname]).catch((e: Error) => problems.push(e.message));
    }
    return problems;
  }
}

/** A guard: the bench never creates or deletes a name outside its prefix. */
function checkOurs(name: string): void {
  if (!name.startsWith(PREFIX)) throw new Error(`internal: ${name} does not start with ${PREFIX}`);
}
