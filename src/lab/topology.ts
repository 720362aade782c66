/**
 * The lab: three network namespaces joined by two veth pairs, one queue each
 * way per dataplane worker.
 *
 *   <prefix>-cust            <prefix>-cix                <prefix>-cloud
 *   eth0 192.0.2.2/24 ─veth─ cust0 [cix]  cloud0 ─veth─ eth0
 *   (a customer's host)      (the appliance)            (a cloud on-ramp)
 *
 * cix runs its dataplane process inside <prefix>-cix (cix run --netns), so
 * nothing of the lab touches the root namespace. The kernel here has no
 * 802.1Q module, so tagged traffic is made and checked with scapy
 * (src/lab/scapy/lab_traffic.py) in the outer namespaces.
 */
import { addNetns, addVethPair, delNetns, ip, listNetns, netnsExists, netnsPath } from './netns';

export const DEFAULT_LAB_PREFIX = 'cix-lab';

/** The customer host's address; the appliance's own address on cust0 is CIX_CUST_ADDRESS (examples/lab.yaml). */
export const CUST_HOST_ADDRESS = '192.0.2.2/24';
export const CIX_CUST_ADDRESS = '192.0.2.1';

export interface LabEnd {
  netns: string;
  /** nsenter --net= / setns path. */
  netnsPath: string;
  iface: string;
}

export interface Lab {
  prefix: string;
  namespaces: { cust: string; cix: string; cloud: string };
  /** The customer host's interface and the appliance's port facing it. */
  custHost: LabEnd;
  cixCust: LabEnd;
  /** The appliance's port facing the cloud and the cloud's interface. */
  cixCloud: LabEnd;
  cloudHost: LabEnd;
}

function end(netns: string, iface: string): LabEnd {
  return { netns, netnsPath: netnsPath(netns), iface };
}

/** Names of a lab; prefix must start with "cix-lab" or "cxl" so that sweeps stay exact. */
export function labNames(prefix: string = DEFAULT_LAB_PREFIX): Lab {
  if (!/^(cix-lab|cxl)[A-Za-z0-9-]*$/.test(prefix) || prefix.length > 40) {
    throw new Error(`lab prefix "${prefix}": must start with "cix-lab" or "cxl" (letters, digits, "-")`);
  }
  const ns = { cust: `${prefix}-cust`, cix: `${prefix}-cix`, cloud: `${prefix}-cloud` };
  return {
    prefix,
    namespaces: ns,
    custHost: end(ns.cust, 'eth0'),
    cixCust: end(ns.cix, 'cust0'),
    cixCloud: end(ns.cix, 'cloud0'),
    cloudHost: end(ns.cloud, 'eth0'),
  };
}

/** Creates the lab (idempotent); on failure removes what it made and throws. */
export async function labUp(lab: Lab, opts: { queues?: number } = {}): Promise<void> {
  const queues = opts.queues ?? 1;
  try {
    for (const ns of Object.values(lab.namespaces)) await addNetns(ns);
    await addVethPair({ netns: lab.custHost.netns, name: lab.custHost.iface }, { netns: lab.cixCust.netns, name: lab.cixCust.iface }, queues);
    await addVethPair({ netns: lab.cixCloud.netns, name: lab.cixCloud.iface }, { netns: lab.cloudHost.netns, name: lab.cloudHost.iface }, queues);
    await ip(['-n', lab.custHost.netns, 'addr', 'replace', CUST_HOST_ADDRESS, 'dev', lab.custHost.iface]);
  } catch (err) {
    await labDown(lab).catch(() => undefined);
    throw err;
  }
}

/**
 * Removes the lab's namespaces; their veths, and the XDP programs attached
 * to them, go with them (the lab never makes anything in the root namespace).
 */
export async function labDown(lab: Lab): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of Object.values(lab.namespaces)) {
    if (!netnsExists(ns)) continue;
    await delNetns(ns);
    removed.push(`netns ${ns}`);
  }
  return removed;
}

/** Which of the lab's namespaces exist. */
export function labPresent(lab: Lab): string[] {
  const all = new Set(listNetns());
  return Object.values(lab.namespaces).filter((n) => all.has(n));
}

export interface LinkInfo {
  operstate: string;
  /** Name of the XDP program attached, undefined when none. */
  xdpProgram: string | undefined;
  /** 'native' | 'skb' | 'offload' | 'multi' when one is attached. */
  xdpMode: string | undefined;
  addresses: string[];
}

const XDP_MODES: Record<number, string> = { 1: 'native', 2: 'skb', 3: 'offload', 4: 'multi' };

/** One interface of a namespace as `ip -j` shows it. */
export async function linkInfo(e: LabEnd): Promise<LinkInfo> {
  type IpLink = { operstate?: string; xdp?: { mode?: number; prog?: { name?: string } } };
  type IpAddr = { addr_info?: { family?: string; local?: string; prefixlen?: number }[] };
  const link = (JSON.parse((await ip(['-n', e.netns, '-j', 'link', 'show', 'dev', e.iface])) || '[]') as IpLink[])[0] ?? {};
  const addrs = JSON.parse((await ip(['-n', e.netns, '-j', 'addr', 'show', 'dev', e.iface])) || '[]') as IpAddr[];
  return {
    operstate: (link.operstate ?? 'unknown').toLowerCase(),
    xdpProgram: link.xdp?.prog?.name,
    xdpMode: link.xdp?.mode === undefined ? undefined : (XDP_MODES[link.xdp.mode] ?? String(link.xdp.mode)),
    addresses: addrs.flatMap((a) => a.addr_info ?? []).filter((a) => a.family === 'inet').map((a) => `${a.local}/${a.prefixlen}`),
  };
}

/** Whether an XDP program is attached to an interface of a namespace. */
export async function xdpAttached(e: LabEnd): Promise<boolean> {
  return (await linkInfo(e)).xdpMode !== undefined;
}
