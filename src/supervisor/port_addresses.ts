/**
 * The appliance's own addresses on its ports' interfaces. cix adds what the
 * running configuration lists and removes, later, only what it added itself:
 * an address an operator had put on the interface before stays.
 */
import type { NetControl } from './netif';

/** interface -> "a.b.c.d/len" it should carry. */
export type AddressPlan = ReadonlyMap<string, readonly string[]>;

export class PortAddresses {
  /** interface -> addresses cix added and has not removed. */
  private readonly ours = new Map<string, Set<string>>();

  constructor(private readonly net: NetControl) {}

  /**
   * Adds what `wanted` lists and the interface lacks, removes what cix added
   * and `wanted` no longer lists. Throws the first failing command's error;
   * what was done before it stays done (call again with the previous plan
   * to go back).
   */
  async sync(wanted: AddressPlan): Promise<void> {
    for (const [ifname, added] of this.ours) {
      const keep = new Set(wanted.get(ifname) ?? []);
      for (const cidr of [...added]) {
        if (keep.has(cidr)) continue;
        await this.net.delAddress(ifname, cidr);
        added.delete(cidr);
      }
      if (added.size === 0) this.ours.delete(ifname);
    }
    for (const [ifname, cidrs] of wanted) {
      if (cidrs.length === 0) continue;
      const present = new Set(await this.net.addresses(ifname));
      for (const cidr of cidrs) {
        if (present.has(cidr)) continue;
        await this.net.addAddress(ifname, cidr);
        let set = this.ours.get(ifname);
        if (set === undefined) this.ours.set(ifname, (set = new Set()));
        set.add(cidr);
      }
    }
  }

  /** Removes every address cix added; failures (an interface gone) are skipped. */
  async clear(): Promise<void> {
    for (const [ifname, added] of this.ours) {
      for (const cidr of added) await this.net.delAddress(ifname, cidr).catch(() => undefined);
    }
    this.ours.clear();
  }

  /** What cix added, for tests and status. */
  added(): Map<string, string[]> {
    return new Map([...this.ours].map(([i, s]) => [i, [...s]]));
  }
}
