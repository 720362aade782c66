/**
 * The one place that loads the native addon and gives it types. Nothing
 * else in src/ sees the untyped module. Arguments are checked in TypeScript
 * (config validation) before they get here.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { TablesPlan } from './plan';

export interface DropReason {
  name: string;
  help: string;
}

export interface CounterLayout {
  buffer: ArrayBuffer;
  byteOffset: number;
  workers: number;
  objects: number;
  slots: number;
  portBase: number;
  attachmentBase: number;
}

export interface ReplayPortPaths {
  id: number;
  input?: string;
  output?: string;
}

export interface NativeReplayStats {
  framesRead: number;
  framesWritten: number;
  bursts: number;
  firstNs: bigint;
  lastNs: bigint;
}

export interface NativeDataplane {
  publish(plan: TablesPlan): number;
  layout(): CounterLayout;
  replay(opts: { ports: ReplayPortPaths[]; burst: number }): Promise<NativeReplayStats>;
  close(): void;
}

export interface NativeLimits {
  maxPorts: number;
  maxAttachments: number;
  maxWorkers: number;
  maxBurst: number;
  dropBase: number;
}

interface NativeModule {
  Dataplane: new (opts: { workers: number; maxAttachments: number }) => NativeDataplane;
  dropReasons(): DropReason[];
  counterSlots(): string[];
  limits: NativeLimits;
}

export class NativeLoadError extends Error {
  readonly code = 'CIX_NATIVE_LOAD';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NativeLoadError';
  }
}

function findAddon(): string {
  // From src/native (ts-node) or dist/src/native (compiled): walk up to the package root.
  let dir = __dirname;
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'build', 'addon', 'Release', 'cix.node');
    if (fs.existsSync(candidate)) return candidate;
    dir = path.dirname(dir);
  }
  throw new NativeLoadError('the native addon is not built (run `npm run build`)');
}

let loaded: NativeModule | undefined;

export function native(): NativeModule {
  if (loaded === undefined) {
    const file = findAddon();
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require(file) as NativeModule;
    } catch (err) {
      throw new NativeLoadError(`cannot load ${file}`, { cause: err });
    }
  }
  return loaded;
}
