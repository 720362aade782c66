/**
 * `cix run` in the background for a lab: started detached inside the lab's
 * cix namespace, with a pid file and a log file in the lab's state directory
 * (/run/cix-lab/<prefix>/), stopped with SIGTERM (SIGKILL when it does not
 * go in time).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Lab } from './topology';

export const STATE_ROOT = '/run/cix-lab';

export interface LabState {
  dir: string;
  pidFile: string;
  logFile: string;
  configFile: string;
}

export function labState(lab: Lab, root = STATE_ROOT): LabState {
  const dir = path.join(root, lab.prefix);
  return { dir, pidFile: path.join(dir, 'cix.pid'), logFile: path.join(dir, 'cix.log'), configFile: path.join(dir, 'config') };
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err: unknown) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid of the lab's running `cix run`, if there is one. */
export function runningPid(state: LabState): number | undefined {
  try {
    const pid = Number(fs.readFileSync(state.pidFile, 'utf8').trim());
    return Number.isSafeInteger(pid) && pid > 0 && pidAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function logTail(state: LabState, lines = 20): string {
  try {
    return fs.readFileSync(state.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/**
 * Starts `node main.js run CONFIG --netns NS` detached, and waits until its
 * log shows `readyLine` (resolves with its pid) or it exits (throws with the
 * log's tail), at most timeoutMs.
 */
export async function startBackground(
  state: LabState,
  args: { cli: string; config: string; netns: string; readyLine: string; timeoutMs?: number },
): Promise<number> {
  fs.mkdirSync(state.dir, { recursive: true });
  fs.writeFileSync(state.configFile, `${args.config}\n`);
  const log = fs.openSync(state.logFile, 'w');
  let pid: number;
  try {
    // Its own state directory and kernel-chosen ports: a lab never meets an appliance's state or another lab's ports.
    const run = ['run', args.config, '--netns', args.netns, '--state-dir', path.join(state.dir, 'state'),
      '--mgmt-listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'];
    const child = spawn(process.execPath, [args.cli, ...run], {
      detached: true,
      stdio: ['ignore', log, log],
    });
    if (child.pid === undefined) throw new Error('cannot start cix run');
    pid = child.pid;
    child.unref();
  } finally {
    fs.closeSync(log);
  }
  fs.writeFileSync(state.pidFile, `${pid}\n`);
  const deadline = Date.now() + (args.timeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (fs.readFileSync(state.logFile, 'utf8').includes(args.readyLine)) return pid;
    if (!pidAlive(pid)) throw new Error(`cix run exited:\n${logTail(state)}`);
    await sleep(100);
  }
  await stopBackground(state);
  throw new Error(`cix run did not come up in ${(args.timeoutMs ?? 30_000) / 1000} s:\n${logTail(state)}`);
}

/** SIGTERM, then SIGKILL after graceMs; true when a process was running. */
export async function stopBackground(state: LabState, graceMs = 15_000): Promise<boolean> {
  const pid = runningPid(state);
  if (pid === undefined) return false;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pidAlive(pid) && Date.now() < deadline) await sleep(50);
  if (pidAlive(pid)) {
    process.kill(pid, 'SIGKILL');
    while (pidAlive(pid)) await sleep(50);
  }
  return true;
}

export function removeState(state: LabState): void {
  fs.rmSync(state.dir, { recursive: true, force: true });
}
