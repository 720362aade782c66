/**
 * Reads the fast path's counters in place (no copy, no call into native per
 * counter): one BigUint64Array over the block the addon shares, summed over
 * workers on read. Slot and drop-reason names come from the addon, so this
 * file never hard-codes the fast path's lists.
 */
import { native, type CounterLayout, type DropReason } from '../native/binding';

export interface CounterSet {
  rx_packets: bigint;
  rx_bytes: bigint;
  tx_packets: bigint;
  tx_bytes: bigint;
  /** Every drop reason by its exported name, zeros included. */
  drops: Record<string, bigint>;
}

export interface CounterSnapshot {
  ports: Map<string, CounterSet>;
  attachments: Map<string, CounterSet>;
  /** Totals by reason. Every drop is counted on its receive port, so this sums ports. */
  drops: Record<string, bigint>;
}

const BASE_SLOTS = ['rx_packets', 'rx_bytes', 'tx_packets', 'tx_bytes'] as const;

export class CounterReader {
  private readonly view: BigUint64Array;
  private readonly reasons: string[];

  constructor(
    private readonly layout: CounterLayout,
    slotNames: string[],
    dropReasons: DropReason[],
    private readonly dropBase: number,
  ) {
    this.view = new BigUint64Array(
      layout.buffer,
      layout.byteOffset,
      layout.workers * layout.objects * layout.slots,
    );
    for (let i = 0; i < BASE_SLOTS.length; i++) {
      if (slotNames[i] !== BASE_SLOTS[i]) {
        throw new Error(`counter slot ${i} is ${slotNames[i]}, expected ${BASE_SLOTS[i]}`);
      }
    }
    // "none" is a reason value, not a drop.
    this.reasons = dropReasons.map((r) => r.name);
  }

  /** The counters of one object (port id, or attachment id), summed over workers. */
  read(object: number): CounterSet {
    const { workers, objects, slots } = this.layout;
    const sum = new Array<bigint>(slots).fill(0n);
    for (let w = 0; w < workers; w++) {
      const base = (w * objects + object) * slots;
      for (let s = 0; s < slots; s++) sum[s] += this.view[base + s];
    }
    const drops: Record<string, bigint> = {};
    this.reasons.forEach((name, r) => {
      if (name !== 'none') drops[name] = sum[this.dropBase + r];
    });
    return { rx_packets: sum[0], rx_bytes: sum[1], tx_packets: sum[2], tx_bytes: sum[3], drops };
  }

  snapshot(portNames: string[], attachmentNames: string[]): CounterSnapshot {
    const ports = new Map<string, CounterSet>();
    const attachments = new Map<string, CounterSet>();
    const drops: Record<string, bigint> = {};
    for (const name of this.reasons) if (name !== 'none') drops[name] = 0n;
    portNames.forEach((name, id) => {
      const c = this.read(this.layout.portBase + id);
      ports.set(name, c);
      for (const [reason, n] of Object.entries(c.drops)) drops[reason] += n;
    });
    attachmentNames.forEach((name, id) => {
      attachments.set(name, this.read(this.layout.attachmentBase + id));
    });
    return { ports, attachments, drops };
  }
}

/** A counters file another process writes, read in place (see mapCounterFile). */
export interface MappedCounters {
  readonly reader: CounterReader;
  /** Unmaps; the reader must not be used afterwards. */
  close(): void;
}

/**
 * Maps the counters file a Dataplane made with countersPath (in this or
 * another process) and reads it like the dataplane's own counters. The
 * counts stay readable after the writer died.
 */
export function mapCounterFile(path: string, workers: number, maxAttachments: number): MappedCounters {
  const mod = native();
  const map = mod.mapCounters({ path, workers, maxAttachments });
  const reader = new CounterReader(map.layout(), mod.counterSlots(), mod.dropReasons(), mod.limits.dropBase);
  return { reader, close: () => map.close() };
}
