/**
 * What cix_build_info{version,commit,node,kernel} reports: read once at
 * start, from package.json, the environment or the git checkout, and the
 * running system. Never spawns a process.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface BuildInfo {
  version: string;
  commit: string;
  node: string;
  kernel: string;
}

/** The repository (or installed package) root: dist/src/metrics -> ../../.. */
const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..');

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function packageVersion(root: string): string {
  const text = readText(path.join(root, 'package.json'));
  if (text === undefined) return 'unknown';
  try {
    const v = (JSON.parse(text) as { version?: unknown }).version;
    return typeof v === 'string' && v !== '' ? v : 'unknown';
  } catch {
    return 'unknown';
  }
}

/** $CIX_BUILD_COMMIT (set by packaging), else HEAD of a git checkout read from .git, else "unknown". */
function commitOf(root: string, env: NodeJS.ProcessEnv): string {
  const fromEnv = env.CIX_BUILD_COMMIT?.trim();
  if (fromEnv && /^[0-9a-f]{7,40}$/i.test(fromEnv)) return fromEnv.slice(0, 12).toLowerCase();
  const gitDir = path.join(root, '.git');
  const head = readText(path.join(gitDir, 'HEAD'))?.trim();
  if (head === undefined) return 'unknown';
  let hash: string | undefined = head;
  const ref = /^ref: (refs\/[^\s]+)$/.exec(head)?.[1];
  if (ref !== undefined) {
    hash = readText(path.join(gitDir, ref))?.trim();
    if (hash === undefined) {
      // A packed ref: "<hash> <ref>" lines in packed-refs.
      const packed = readText(path.join(gitDir, 'packed-refs')) ?? '';
      hash = packed.split('\n').find((l) => l.endsWith(` ${ref}`))?.split(' ')[0];
    }
  }
  return hash !== undefined && /^[0-9a-f]{40,64}$/.test(hash) ? hash.slice(0, 12) : 'unknown';
}

export function readBuildInfo(opts: { root?: string; env?: NodeJS.ProcessEnv } = {}): BuildInfo {
  const root = opts.root ?? PACKAGE_ROOT;
  return {
    version: packageVersion(root),
    commit: commitOf(root, opts.env ?? process.env),
    node: process.version,
    kernel: os.release(),
  };
}
