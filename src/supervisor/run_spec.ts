/**
 * From a normalized configuration and its tables plan to what the dataplane
 * process is started with, and the test that tells a tables-only change
 * (one epoch swap, no restart) from one that needs the ports reopened.
 */
import type { LiveDriverName, NormalizedConfig } from '../config';
import type { TablesPlan } from '../native/plan';
import type { LivePortSpec, LiveRunSpec } from '../native/binding';

/** The process-level part of a start: what needs a new process when it changes. */
export interface ProcessSpec {
  workers: number;
  maxAttachments: number;
  run: LiveRunSpec;
}

/** The run spec of a configuration that validateLive accepted (live drivers, interfaces). */
export function buildRunSpec(cfg: NormalizedConfig, plan: TablesPlan): LiveRunSpec {
  const ids = new Map(plan.ports.map((p) => [p.name, p.id]));
  const ports: LivePortSpec[] = cfg.ports.map((p) => {
    const id = ids.get(p.name);
    if (id === undefined) throw new Error(`buildRunSpec: port "${p.name}" is not in the plan`);
    if (p.interface === undefined || (p.driver !== 'afxdp' && p.driver !== 'afpacket')) {
      throw new Error(`buildRunSpec: port "${p.name}" is not a live port (config not checked with validateLive)`);
    }
    return {
      id,
      name: p.name,
      interface: p.interface,
      driver: p.driver satisfies LiveDriverName,
      xdpMode: p.xdpMode,
      addresses: p.addresses.map((a) => a.address),
    };
  });
  return { ports, workers: cfg.dataplane.workers, cpus: [...cfg.dataplane.cpus], burst: cfg.dataplane.burst };
}

/** True when going from `a` to `b` is a table swap; false when the ports must be reopened. */
export function sameProcessSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  // Built by buildRunSpec in one key order, so equal specs serialize equally.
  return a.workers === b.workers && a.maxAttachments === b.maxAttachments && JSON.stringify(a.run) === JSON.stringify(b.run);
}
