/**
 * What the figures were measured on (DESIGN §6: a machine line with CPU
 * model, cores and kernel) and how busy each CPU was during a trial
 * (/proc/stat), from which cycles per packet are derived.
 */
import { readFileSync } from 'node:fs';
import { release, machine as arch } from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  kernel: string;
  vm: boolean;
  /** The CPU's nominal clock (the TSC's on x86), MHz; 0 when unknown. */
  nominalMhz: number;
}

export function describeMachine(): Machine {
  let cpuinfo = '';
  try {
    cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    // not Linux: the fields stay unknown
  }
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(cpuinfo)?.[1]?.trim();
  return {
    cpu: field('model name') ?? 'unknown CPU',
    cores: onlineCpus().length,
    kernel: `Linux ${release()} ${arch()}`,
    vm: / hypervisor( |$)/m.test(field('flags') ?? ''),
    nominalMhz: Number(field('cpu MHz') ?? 0) || 0,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores online, ${m.kernel}${m.vm ? ', virtual machine (KVM/hypervisor flag set)' : ''}`;
}

/** The CPUs online, from /sys (e.g. "0-1" or "0,2-3"). */
export function onlineCpus(): number[] {
  let spec = '0';
  try {
    spec = readFileSync('/sys/devices/system/cpu/online', 'utf8').trim();
  } catch {
    // assume one CPU
  }
  const out: number[] = [];
  for (const part of spec.split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) out.push(c);
  }
  return out;
}

/** Busy and total jiffies of each CPU (user, nice, system, irq, softirq count as busy; steal does not). */
export type CpuTimes = Map<number, { busy: number; total: number }>;

export function readCpuTimes(): CpuTimes {
  const out: CpuTimes = new Map();
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const [user, nice, system, idle, iowait, irq, softirq, steal] = m[2].split(/\s+/).map(Number);
    const busy = user + nice + system + irq + softirq;
    out.set(Number(m[1]), { busy, total: busy + idle + iowait + (steal || 0) });
  }
  return out;
}

/** Fraction of each CPU's time spent busy between two samples (0..1). */
export function busyBetween(a: CpuTimes, b: CpuTimes): Map<number, number> {
  const out = new Map<number, number>();
  for (const [cpu, end] of b) {
    const start = a.get(cpu);
    if (!start) continue;
    const total = end.total - start.total;
    out.set(cpu, total > 0 ? Math.min(1, Math.max(0, (end.busy - start.busy) / total)) : 0);
  }
  return out;
}
