/**
 * Durable file operations of the state directory. A file is replaced by
 * writing a temporary file beside it, fsync, rename over the old one, fsync
 * of the directory: after a crash at any moment the name holds either the
 * whole old content or the whole new one. Appends are fsynced before they
 * return.
 *
 * One class so that tests can inject failures (a subclass whose writes
 * throw) where a real disk cannot be made to fail on demand.
 */
import { promises as fsp } from 'fs';
import * as fs from 'fs';
import * as path from 'path';

/** The suffix of files being written; a file with it was never completed and is ignored. */
export const TMP_SUFFIX = '.tmp';

export class StateFiles {
  /** Replaces `file` with `data`, atomically and durably (mode 0600: it may hold secrets). */
  async writeAtomic(file: string, data: string): Promise<void> {
    const tmp = `${file}.${process.pid}${TMP_SUFFIX}`;
    try {
      const fh = await fsp.open(tmp, 'w', 0o600);
      try {
        await fh.writeFile(data, 'utf8');
        await fh.sync();
      } finally {
        await fh.close();
      }
      await fsp.rename(tmp, file);
    } catch (err: unknown) {
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
    await this.syncDir(path.dirname(file));
  }

  /** Appends `data` to `file` (created 0600) and fsyncs it. */
  async append(file: string, data: string): Promise<void> {
    const created = !fs.existsSync(file);
    const fh = await fsp.open(file, 'a', 0o600);
    try {
      await fh.writeFile(data, 'utf8');
      await fh.sync();
    } finally {
      await fh.close();
    }
    if (created) await this.syncDir(path.dirname(file));
  }

  /** The size of `file` in bytes; 0 when it does not exist. */
  async size(file: string): Promise<number> {
    try {
      return (await fsp.stat(file)).size;
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
  }

  /** Renames `from` to `to` (replacing it); false when `from` does not exist. The caller syncs the directory. */
  async rename(from: string, to: string): Promise<boolean> {
    try {
      await fsp.rename(from, to);
      return true;
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Makes the directory content (renames, new names) durable. */
  async syncDir(dir: string): Promise<void> {
    const fh = await fsp.open(dir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** Creates `dir` (and parents) with mode 0700 when missing. */
  async ensureDir(dir: string): Promise<void> {
    await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
  }

  async remove(file: string): Promise<void> {
    await fsp.rm(file, { force: true });
  }

  /** Cuts `file` to `length` bytes and fsyncs it. */
  async truncate(file: string, length: number): Promise<void> {
    const fh = await fsp.open(file, 'r+');
    try {
      await fh.truncate(length);
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  /** The text of `file`, or undefined when it does not exist. */
  async read(file: string): Promise<string | undefined> {
    try {
      return await fsp.readFile(file, 'utf8');
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Synchronous read, for lookups that must answer at once (an old revision). */
  readSync(file: string): string | undefined {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      return await fsp.readdir(dir);
    } catch (err: unknown) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  }
}
