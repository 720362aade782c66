/**
 * The files the dataplane processes keep their counters in: one per process
 * (a fresh file for every start, so a reader of the old one never sees it
 * change shape), named /dev/shm/cix-<supervisor pid>-<n>, mapped by the
 * supervisor through the addon and read in place.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CounterReader } from '../dataplane/counters';
import { native } from '../native/binding';
import type { CounterSource, ObjectKind } from './counter_book';
import type { CounterValues } from './api';

/** Where counter files are made, how they are read, and how they go. */
export interface CounterFiles {
  /** Every drop reason by its exported name. */
  reasons(): string[];
  /** A new path for the next process's file. */
  next(): string;
  /** Maps a file the dataplane process made. */
  map(file: string, workers: number, maxAttachments: number): CounterSource;
  remove(file: string): void;
}

export const SHM_DIR = '/dev/shm';
const PREFIX = 'cix-';

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Counter files in tmpfs, read through the addon's mapCounters. */
export class ShmCounterFiles implements CounterFiles {
  private n = 0;

  constructor(
    private readonly dir: string = SHM_DIR,
    private readonly owner: number = process.pid,
  ) {}

  reasons(): string[] {
    return native()
      .dropReasons()
      .map((r) => r.name)
      .filter((n) => n !== 'none');
  }

  next(): string {
    this.n += 1;
    return path.join(this.dir, `${PREFIX}${this.owner}-${this.n}`);
  }

  map(file: string, workers: number, maxAttachments: number): CounterSource {
    const mod = native();
    const mapping = mod.mapCounters({ path: file, workers, maxAttachments });
    const layout = mapping.layout();
    const reader = new CounterReader(layout, mod.counterSlots(), mod.dropReasons(), mod.limits.dropBase);
    let closed = false;
    return {
      read(kind: ObjectKind, id: number): CounterValues {
        // After close() the block reads as empty: callers fold before closing.
        const c = reader.read((kind === 'port' ? layout.portBase : layout.attachmentBase) + id);
        return { rxPackets: c.rx_packets, rxBytes: c.rx_bytes, txPackets: c.tx_packets, txBytes: c.tx_bytes, drops: c.drops };
      },
      close(): void {
        if (closed) return;
        closed = true;
        mapping.close();
      },
    };
  }

  remove(file: string): void {
    fs.rmSync(file, { force: true });
  }

  /** Removes files of supervisors that are gone (killed before they could clean up); returns them. */
  sweepStale(): string[] {
    const removed: string[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return removed;
    }
    for (const name of names) {
      const m = /^cix-(\d+)-\d+$/.exec(name);
      if (m === null) continue;
      const pid = Number(m[1]);
      if (pid === this.owner || pidAlive(pid)) continue;
      const file = path.join(this.dir, name);
      fs.rmSync(file, { force: true });
      removed.push(file);
    }
    return removed;
  }
}
