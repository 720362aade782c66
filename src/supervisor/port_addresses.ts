/**
 * The appliance's own addresses on its ports' interfaces. cix adds what the
 * running configuration lists and removes, later, only what it added itself:
 * an address an operator had put on the interface before stays.
 *
 * With a journal (a file in the state directory), what cix added outlives
 * the supervisor: an address is written to the journal before it is added,
 * so after a kill -9 the next start still knows it as cix's and removes it
 * when the configuration no longer lists it, or at a clean stop. The
 * journal names the network namespace it speaks of; another namespace's
 * journal is not believed.
 */
import { StateFiles } from '../txn/fsio';
import type { NetControl } from './netif';

/** interface -> "a.b.c.d/len" it should carry. */
export type AddressPlan = ReadonlyMap<string, readonly string[]>;

const JOURNAL_FORMAT = 'cix-addresses-v1';

interface JournalFile {
  format: typeof JOURNAL_FORMAT;
  /** The network namespace of the interfaces ("" = the supervisor's own). */
  netns: string;
  added: Record<string, string[]>;
}

export interface AddressJournal {
  file: string;
  netns: string | undefined;
  files?: StateFiles;
}

function isJournal(v: unknown): v is JournalFile {
  if (typeof v !== 'object' || v === null) return false;
  const j = v as Partial<JournalFile>;
  if (j.format !== JOURNAL_FORMAT || typeof j.netns !== 'string' || typeof j.added !== 'object' || j.added === null) return false;
  return Object.values(j.added).every((list) => Array.isArray(list) && list.every((c) => typeof c === 'string'));
}

export class PortAddresses {
  /** interface -> addresses cix added and has not removed. */
  private readonly ours = new Map<string, Set<string>>();
  private readonly files: StateFiles | undefined;
  private recovered: boolean;

  /** `log` hears about a journal that could not be read or written (the addresses still work). */
  constructor(
    private readonly net: NetControl,
    private readonly journal?: AddressJournal,
    private readonly log: (line: string) => void = () => undefined,
  ) {
    this.files = journal ? (journal.files ?? new StateFiles()) : undefined;
    this.recovered = journal === undefined;
  }

  /**
   * Adds what `wanted` lists and the interface lacks, removes what cix added
   * and `wanted` no longer lists. Throws the first failing command's error;
   * what was done before it stays done (call again with the previous plan
   * to go back).
   */
  async sync(wanted: AddressPlan): Promise<void> {
    await this.recover();
    for (const [ifname, added] of this.ours) {
      const keep = new Set(wanted.get(ifname) ?? []);
      for (const cidr of [...added]) {
        if (keep.has(cidr)) continue;
        await this.net.delAddress(ifname, cidr);
        added.delete(cidr);
        await this.save();
      }
      if (added.size === 0) this.ours.delete(ifname);
    }
    for (const [ifname, cidrs] of wanted) {
      if (cidrs.length === 0) continue;
      const present = new Set(await this.net.addresses(ifname));
      for (const cidr of cidrs) {
        if (present.has(cidr)) continue;
        let set = this.ours.get(ifname);
        if (set === undefined) this.ours.set(ifname, (set = new Set()));
        // Claimed before it exists: a crash between the two leaves a claim on nothing, which recovery drops.
        set.add(cidr);
        await this.save();
        try {
          await this.net.addAddress(ifname, cidr);
        } catch (err: unknown) {
          set.delete(cidr);
          if (set.size === 0) this.ours.delete(ifname);
          await this.save();
          throw err;
        }
      }
    }
  }

  /** Removes every address cix added; failures (an interface gone) are skipped. */
  async clear(): Promise<void> {
    await this.recover();
    for (const [ifname, added] of this.ours) {
      for (const cidr of added) await this.net.delAddress(ifname, cidr).catch(() => undefined);
    }
    this.ours.clear();
    await this.save();
  }

  /** What cix added, for tests and status. */
  added(): Map<string, string[]> {
    return new Map([...this.ours].map(([i, s]) => [i, [...s]]));
  }

  /** Takes over the claims of an earlier supervisor that are still on their interfaces. */
  private async recover(): Promise<void> {
    if (this.recovered || !this.journal || !this.files) return;
    this.recovered = true;
    let text: string | undefined;
    try {
      text = await this.files.read(this.journal.file);
    } catch (err: unknown) {
      this.log(`${this.journal.file}: ${err instanceof Error ? err.message : String(err)}; addresses of an earlier run are not known`);
      return;
    }
    if (text === undefined) return;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      doc = undefined;
    }
    if (!isJournal(doc)) {
      this.log(`${this.journal.file}: not an address journal; ignored`);
      return;
    }
    if (doc.netns !== (this.journal.netns ?? '')) return;
    for (const [ifname, cidrs] of Object.entries(doc.added)) {
      const present = new Set(await this.net.addresses(ifname).catch(() => [] as string[]));
      const still = cidrs.filter((c) => present.has(c));
      if (still.length > 0) this.ours.set(ifname, new Set(still));
    }
    await this.save();
  }

  private async save(): Promise<void> {
    if (!this.journal || !this.files) return;
    const doc: JournalFile = {
      format: JOURNAL_FORMAT,
      netns: this.journal.netns ?? '',
      added: Object.fromEntries([...this.ours].filter(([, s]) => s.size > 0).map(([i, s]) => [i, [...s].sort()])),
    };
    try {
      await this.files.writeAtomic(this.journal.file, `${JSON.stringify(doc)}\n`);
    } catch (err: unknown) {
      // Losing the journal only costs the clean-up after a crash; the addresses themselves are right.
      this.log(`${this.journal.file}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
}
