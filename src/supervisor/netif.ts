/**
 * The few things the supervisor does to the ports' interfaces, with iproute2
 * (`ip -n NETNS ...` when the dataplane runs in a namespace: /sys of this
 * process shows the root namespace only): bring a link up, read link states,
 * list, add and remove IPv4 addresses. Behind NetControl so that tests can
 * run the supervisor without touching interfaces.
 */
import { execFile } from 'node:child_process';

import type { LinkState } from './api';
import { NetCommandError } from './errors';

export interface NetControl {
  /** Administratively up (a port that is down receives nothing). */
  setUp(ifname: string): Promise<void>;
  /** Link state of each interface asked for; 'unknown' when it does not exist. */
  linkStates(ifnames: readonly string[]): Promise<Map<string, LinkState>>;
  /** IPv4 addresses on the interface, as "a.b.c.d/len". */
  addresses(ifname: string): Promise<string[]>;
  addAddress(ifname: string, cidr: string): Promise<void>;
  delAddress(ifname: string, cidr: string): Promise<void>;
}

export const IP = 'ip';
const COMMAND_TIMEOUT_MS = 10_000;

/** The kernel's operstate (RFC 2863) as a port's link state. */
export function linkStateOf(operstate: string | undefined): LinkState {
  switch ((operstate ?? '').toLowerCase()) {
    case 'up':
      return 'up';
    case 'down':
    case 'lowerlayerdown':
    case 'notpresent':
    case 'dormant':
    case 'testing':
      return 'down';
    default:
      return 'unknown';
  }
}

interface IpLink {
  ifname?: string;
  operstate?: string;
}

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
}

/** iproute2, in the root namespace or in one network namespace. */
export class IpNetControl implements NetControl {
  constructor(private readonly netns: string | undefined = undefined) {}

  async setUp(ifname: string): Promise<void> {
    await this.ip(['link', 'set', 'dev', ifname, 'up']);
  }

  async linkStates(ifnames: readonly string[]): Promise<Map<string, LinkState>> {
    const links = JSON.parse((await this.ip(['-j', 'link', 'show'])) || '[]') as IpLink[];
    const byName = new Map(links.map((l) => [l.ifname ?? '', l.operstate]));
    return new Map(ifnames.map((n) => [n, byName.has(n) ? linkStateOf(byName.get(n)) : 'unknown']));
  }

  async addresses(ifname: string): Promise<string[]> {
    const out = JSON.parse((await this.ip(['-j', '-4', 'addr', 'show', 'dev', ifname])) || '[]') as { addr_info?: IpAddrInfo[] }[];
    return out.flatMap((l) => l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local !== undefined).map((a) => `${a.local}/${a.prefixlen}`);
  }

  async addAddress(ifname: string, cidr: string): Promise<void> {
    await this.ip(['addr', 'replace', cidr, 'dev', ifname]);
  }

  async delAddress(ifname: string, cidr: string): Promise<void> {
    await this.ip(['addr', 'del', cidr, 'dev', ifname]);
  }

  private ip(args: string[]): Promise<string> {
    const full = this.netns === undefined ? args : ['-n', this.netns, ...args];
    const command = `${IP} ${full.join(' ')}`;
    return new Promise((resolve, reject) => {
      execFile(IP, full, { encoding: 'utf8', timeout: COMMAND_TIMEOUT_MS }, (err, stdout, stderr) => {
        if (err !== null) reject(new NetCommandError(command, (stderr || err.message).trim(), { cause: err }));
        else resolve(stdout);
      });
    });
  }
}
