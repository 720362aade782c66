/**
 * What `cix run` needs beyond a valid configuration: every port on a live
 * driver with an interface, and CPUs that exist on this machine. Replay
 * ignores drivers and interfaces, so these checks only run where the
 * configuration is about to drive real interfaces (cix run, the supervisor's
 * apply). Issues name their path like validate.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

import type { ConfigIssue } from './errors';
import type { Config } from './generated';
import { effectiveDriver } from './validate';

const LIVE_DRIVERS: readonly string[] = ['afxdp', 'afpacket'];

/** What the machine offers, passed in so tests do not depend on the host. */
export interface HostFacts {
  /** CPUs that can run a thread (/sys/devices/system/cpu/online). */
  onlineCpus: ReadonlySet<number>;
}

/** "0-3,6,8-9" (the kernel's cpu list format) to its CPUs. */
export function parseCpuList(text: string): Set<number> {
  const cpus = new Set<number>();
  for (const part of text.trim().split(',')) {
    if (part === '') continue;
    const m = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (m === null) continue;
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    for (let c = lo; c <= hi; c++) cpus.add(c);
  }
  return cpus;
}

/** This machine's facts; when the CPU list cannot be read, every CPU index below the count Node sees. */
export function hostFacts(): HostFacts {
  try {
    return { onlineCpus: parseCpuList(fs.readFileSync('/sys/devices/system/cpu/online', 'utf8')) };
  } catch {
    const n = os.availableParallelism();
    return { onlineCpus: new Set(Array.from({ length: n }, (_, i) => i)) };
  }
}

function describeCpus(cpus: ReadonlySet<number>): string {
  const sorted = [...cpus].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(',') || 'none';
}

/**
 * Issues that keep a valid configuration from running live here; [] when it
 * can. Call on a configuration validateConfig found no error in.
 */
export function validateLive(cfg: Config, host: HostFacts = hostFacts()): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (cfg.ports.length === 0) issues.push({ path: 'ports', message: 'cix run needs at least one port' });
  cfg.ports.forEach((p, i) => {
    const driver = effectiveDriver(p.driver);
    if (!LIVE_DRIVERS.includes(driver)) {
      issues.push({
        path: `ports[${i}].driver`,
        message: `${driver} cannot run live; cix run moves frames with afxdp or afpacket (${driver} is for replay and benchmarks)`,
      });
    } else if (p.interface === '') {
      issues.push({ path: `ports[${i}].interface`, message: `required for driver ${driver} (the OS interface to bind to)` });
    }
  });
  (cfg.dataplane?.cpus ?? []).forEach((cpu, k) => {
    if (!host.onlineCpus.has(cpu)) {
      issues.push({ path: `dataplane.cpus[${k}]`, message: `CPU ${cpu} is not online on this machine (online: ${describeCpus(host.onlineCpus)})` });
    }
  });
  return issues;
}
