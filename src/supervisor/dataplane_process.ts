/**
 * One dataplane process as the supervisor drives it: typed requests with a
 * reply or an error, a deadline on each, and one exit. The process itself is
 * behind ChildHandle so that tests can drive the supervisor with a fake one.
 *
 * The real process is a fork of dist/src/dataplane/child.js, in its own
 * process group (a terminal's Ctrl-C reaches the supervisor only, which then
 * stops the dataplane in order), optionally inside a network namespace: fork
 * runs `nsenter --net=/run/netns/NAME node child.js`, and nsenter execs node
 * in place, so the pid and the IPC channel are node's.
 */
import { fork } from 'node:child_process';
import * as path from 'node:path';

import { SupervisorError } from './errors';
import { isChildMessage, type ChildMessage, type ChildStartSpec, type RequestType, type SupervisorMessage } from './ipc';
import type { LivePortStatus } from '../native/binding';
import type { TablesPlan } from '../native/plan';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the supervisor needs of a child process (a ChildProcess, or a fake). */
export interface ChildHandle {
  readonly pid: number | undefined;
  /** False when the channel is closed; the exit will follow. */
  send(msg: SupervisorMessage): boolean;
  onMessage(listener: (msg: unknown) => void): void;
  /** Called once, when the process has exited. */
  onExit(listener: (info: ExitInfo) => void): void;
  kill(signal: NodeJS.Signals): void;
}

export interface LaunchOptions {
  /** Run the process inside this network namespace (/run/netns/NAME). */
  netns: string | undefined;
}

export type ChildLauncher = (opts: LaunchOptions) => ChildHandle;

/** Where the compiled child entry lives, next to this file's compiled form. */
export const CHILD_SCRIPT = path.join(__dirname, '..', 'dataplane', 'child.js');

export const NSENTER = '/usr/bin/nsenter';

/** Forks the real dataplane process. */
export function forkDataplane(opts: LaunchOptions, script = CHILD_SCRIPT): ChildHandle {
  const inNetns = opts.netns !== undefined;
  const child = fork(script, [], {
    execPath: inNetns ? NSENTER : process.execPath,
    execArgv: inNetns ? [`--net=/run/netns/${opts.netns}`, process.execPath] : [],
    serialization: 'advanced',
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let exited: ExitInfo | undefined;
  const exitListeners: ((info: ExitInfo) => void)[] = [];
  const finish = (info: ExitInfo): void => {
    if (exited !== undefined) return;
    exited = info;
    for (const l of exitListeners) l(info);
  };
  child.on('exit', (code, signal) => finish({ code, signal }));
  // A failed spawn emits 'error' and no 'exit'.
  child.on('error', () => {
    if (child.pid === undefined || child.exitCode !== null) finish({ code: child.exitCode ?? 127, signal: null });
  });
  return {
    get pid() {
      return child.pid;
    },
    send(msg) {
      if (!child.connected) return false;
      try {
        return child.send(msg, (err) => {
          // The channel closed under us; the exit handler reports it.
          void err;
        });
      } catch {
        return false;
      }
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      if (exited !== undefined) listener(exited);
      else exitListeners.push(listener);
    },
    kill(signal) {
      if (exited === undefined) child.kill(signal);
    },
  };
}

export interface ProcessTimeouts {
  /** Ports opened, XDP attached, sockets bound (EBUSY retries included). */
  startMs: number;
  applyMs: number;
  /** Graceful stop (workers joined, XDP detached, UMEMs freed) before SIGKILL. */
  stopMs: number;
}

export const DEFAULT_TIMEOUTS: ProcessTimeouts = { startMs: 30_000, applyMs: 10_000, stopMs: 10_000 };

interface Pending {
  request: RequestType;
  resolve: (msg: ChildMessage) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

const REPLY: Record<RequestType, ChildMessage['type']> = { start: 'ready', apply: 'applied', stop: 'stopped' };

export function describeExit(info: ExitInfo): string {
  return info.signal !== null ? `killed by ${info.signal}` : `exited with code ${info.code}`;
}

export class DataplaneProcess {
  private pending: Pending | undefined;
  private exitInfo: ExitInfo | undefined;
  private readonly exitListeners: ((info: ExitInfo) => void)[] = [];
  /** Resolves when the process has exited, however. */
  readonly exited: Promise<ExitInfo>;

  constructor(
    private readonly handle: ChildHandle,
    private readonly timeouts: ProcessTimeouts = DEFAULT_TIMEOUTS,
  ) {
    let done!: (info: ExitInfo) => void;
    this.exited = new Promise((resolve) => (done = resolve));
    handle.onMessage((msg) => this.receive(msg));
    handle.onExit((info) => {
      this.exitInfo = info;
      this.fail(new SupervisorError('CIX_DATAPLANE_EXITED', `dataplane process ${this.pid ?? '?'} ${describeExit(info)}`));
      done(info);
      for (const l of this.exitListeners) l(info);
    });
  }

  get pid(): number | undefined {
    return this.handle.pid;
  }

  get alive(): boolean {
    return this.exitInfo === undefined;
  }

  onExit(listener: (info: ExitInfo) => void): void {
    if (this.exitInfo !== undefined) listener(this.exitInfo);
    else this.exitListeners.push(listener);
  }

  /** Publishes the plan, opens the ports, starts the workers; the status of every port. */
  async start(spec: ChildStartSpec): Promise<LivePortStatus[]> {
    const reply = await this.request({ type: 'start', spec }, this.timeouts.startMs);
    return reply.type === 'ready' ? reply.ports : [];
  }

  /** Publishes new tables as one epoch; the generation the fast path runs. */
  async apply(plan: TablesPlan, revision: number): Promise<number> {
    const reply = await this.request({ type: 'apply', plan, revision }, this.timeouts.applyMs);
    return reply.type === 'applied' ? reply.generation : -1;
  }

  /**
   * Stops the process in order (workers, sockets, UMEMs, XDP), waits for its
   * exit; SIGKILL when it does not go in time. Never throws.
   */
  async stop(): Promise<ExitInfo> {
    if (this.exitInfo !== undefined) return this.exitInfo;
    try {
      await this.request({ type: 'stop' }, this.timeouts.stopMs);
    } catch {
      // Timed out, refused or already gone: the kill below settles it.
    }
    const timer = setTimeout(() => this.handle.kill('SIGKILL'), this.timeouts.stopMs);
    const info = await this.exited;
    clearTimeout(timer);
    return info;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.handle.kill(signal);
  }

  private request(msg: SupervisorMessage, timeoutMs: number): Promise<ChildMessage> {
    if (this.exitInfo !== undefined) {
      return Promise.reject(new SupervisorError('CIX_DATAPLANE_EXITED', `dataplane process ${this.pid ?? '?'} ${describeExit(this.exitInfo)}`));
    }
    if (this.pending !== undefined) {
      return Promise.reject(new Error(`dataplane process: ${msg.type} while ${this.pending.request} is outstanding (caller bug)`));
    }
    return new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new SupervisorError('CIX_DATAPLANE_TIMEOUT', `dataplane process ${this.pid ?? '?'}: no answer to ${msg.type} in ${timeoutMs} ms`));
        // A process that does not answer cannot be trusted with the ports.
        this.handle.kill('SIGKILL');
      }, timeoutMs);
      this.pending = { request: msg.type, resolve, reject, timer };
      if (!this.handle.send(msg)) {
        this.fail(new SupervisorError('CIX_DATAPLANE_EXITED', `dataplane process ${this.pid ?? '?'}: channel closed`));
      }
    });
  }

  private receive(msg: unknown): void {
    const p = this.pending;
    if (!isChildMessage(msg) || p === undefined) return; // unsolicited or malformed: nothing waits for it
    if (msg.type === 'error') {
      const code = p.request === 'start' ? 'CIX_DATAPLANE_START' : 'CIX_DATAPLANE_APPLY';
      this.fail(new SupervisorError(code, msg.message));
      return;
    }
    if (msg.type !== REPLY[p.request]) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.resolve(msg);
  }

  private fail(err: Error): void {
    const p = this.pending;
    if (p === undefined) return;
    this.pending = undefined;
    clearTimeout(p.timer);
    p.reject(err);
  }
}
