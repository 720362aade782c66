/**
 * cix as the device under test: `cix run CONFIG --netns cxb-dut`, the
 * dataplane process inside the device namespace with the two device-side
 * veths as its ports, its worker pinned to the device CPU.
 *
 * The configuration is bench/live/cix-xconnect.yaml with dataplane.cpus
 * set to the CPU the run gives the device; the copy goes to a temporary
 * directory with the process's log. Stopping is SIGTERM (cix detaches its
 * XDP programs and frees its UMEMs), SIGKILL after a grace period; deleting
 * the namespace afterwards removes whatever would be left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import * as YAML from 'yaml';

import { LiveBenchError } from './errors';

export interface CixOptions {
  /** dist/src/cli/main.js */
  mainJs: string;
  /** The configuration template (YAML or JSON). */
  configTemplate: string;
  netns: string;
  /** The CPU cix's one worker is pinned to. */
  cpu: number;
}

const STOP_GRACE_MS = 10_000;
const LOG_TAIL_LINES = 15;

/** The template with the bench's CPU put in; fails naming the file when it is not a mapping. */
export function benchConfig(templatePath: string, cpu: number): Record<string, unknown> {
  const text = readFileSync(templatePath, 'utf8');
  const doc = (templatePath.endsWith('.json') ? JSON.parse(text) : YAML.parse(text)) as unknown;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new LiveBenchError('LIVE_PREREQ', `${templatePath}: not a configuration (a mapping at the top)`);
  }
  const config = { ...(doc as Record<string, unknown>) };
  const dp = config.dataplane;
  config.dataplane = { ...(typeof dp === 'object' && dp !== null ? dp : {}), workers: 1, cpus: [cpu] };
  return config;
}

export class CixRun {
  private exit: string | undefined;
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly logPath: string,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.exit = signal ? `killed by ${signal}` : `exit code ${code}`;
        resolve();
      });
      child.once('error', (e) => {
        this.exit = `could not start: ${e.message}`;
        resolve();
      });
    });
  }

  static start(o: CixOptions): CixRun {
    const dir = mkdtempSync(join(tmpdir(), 'cxb-cix-'));
    const configPath = join(dir, 'cix-bench.json');
    writeFileSync(configPath, JSON.stringify(benchConfig(o.configTemplate, o.cpu), null, 2));
    const logPath = join(dir, 'cix.log');
    const log = openSync(logPath, 'w');
    try {
      const child = spawn(process.execPath, [o.mainJs, 'run', configPath, '--netns', o.netns,
        '--state-dir', join(dir, 'state'), '--mgmt-listen', '127.0.0.1:0', '--metrics-listen', '127.0.0.1:0'], {
        stdio: ['ignore', log, log],
      });
      return new CixRun(child, dir, logPath);
    } finally {
      closeSync(log);
    }
  }

  /**
   * Resolves once cix printed `line` (its "running" line: ports open, worker
   * started); LIVE_CIX when it ended first or took longer than `timeoutMs`.
   */
  async waitFor(line: string, timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline && !signal?.aborted) {
      this.checkAlive();
      let text = '';
      try {
        text = readFileSync(this.logPath, 'utf8');
      } catch {
        // not written yet
      }
      if (text.includes(line)) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    this.checkAlive();
    throw new LiveBenchError('LIVE_CIX', `cix run did not say "${line}" within ${timeoutMs / 1000} s; its log ends with:\n${this.logTail()}`);
  }

  /** Throws LIVE_CIX with the end of its log when cix is not running any more. */
  checkAlive(): void {
    if (this.exit !== undefined) {
      const tail = this.logTail();
      const last = tail.split('\n').filter((l) => l.trim()).pop() ?? '(nothing logged)';
      throw new LiveBenchError('LIVE_CIX', `cix run ended (${this.exit}): ${last.trim()}\nits log ends with:\n${tail}`);
    }
  }

  logTail(): string {
    return this.logLines().slice(-LOG_TAIL_LINES).join('\n');
  }

  /** The first lines cix printed (its status table). */
  logHead(lines: number): string {
    return this.logLines().slice(0, lines).join('\n');
  }

  private logLines(): string[] {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n');
    } catch {
      return ['(no log)'];
    }
  }

  /** SIGTERM, then SIGKILL after the grace period; removes the temporary directory unless `keepLog`. */
  async stop(keepLog = false): Promise<void> {
    if (this.exit === undefined) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    if (!keepLog) rmSync(this.dir, { recursive: true, force: true });
  }
}
