/** Running the built `cix` command and the Debian python3 (scapy) from tests. */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'src', 'cli', 'main.js');
/** Debian's python3-scapy belongs to /usr/bin/python3, not the first python3 on PATH. */
export const PYTHON = '/usr/bin/python3';

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function cix(args: string[], opts: { cwd?: string } = {}): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000, cwd: opts.cwd ?? ROOT });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function python(script: string, args: string[]): Run {
  const r = spawnSync(PYTHON, [path.join(ROOT, script), ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tshark(args: string[]): Run {
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh temporary directory, removed when the test ends (pass or fail). */
export function tempDir(t: { teardown(fn: () => void): void }, prefix = 'cix-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}
