/**
 * Running the commands the bench is made of (ip, bridge, nsenter, the
 * generator): always with a time limit, always stopped by the run's abort
 * signal (Ctrl-C), failures as LiveBenchError naming the command.
 */
import { execFile } from 'node:child_process';

import { LiveBenchError } from './errors';

export interface CommandOptions {
  /** Killed (SIGKILL) past this; every command has one. */
  timeoutMs: number;
  /** The run's abort signal: aborting kills the command. */
  signal?: AbortSignal;
}

/** Runs `file args...`; resolves with its stdout, rejects with LIVE_COMMAND (or LIVE_INTERRUPTED). */
export function runCommand(file: string, args: readonly string[], opts: CommandOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: opts.timeoutMs, killSignal: 'SIGKILL', signal: opts.signal, maxBuffer: 16 << 20, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (!err) {
          resolve(stdout);
          return;
        }
        const line = `${file} ${args.join(' ')}`;
        if (opts.signal?.aborted) {
          reject(new LiveBenchError('LIVE_INTERRUPTED', `${line}: interrupted`, { cause: err }));
          return;
        }
        const killed = (err as { killed?: boolean }).killed === true;
        const why = killed ? `no answer within ${opts.timeoutMs} ms` : (stderr.trim() || err.message).split('\n')[0];
        reject(new LiveBenchError('LIVE_COMMAND', `${line}: ${why}`, { cause: err }));
      },
    );
  });
}
