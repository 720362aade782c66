/**
 * The dataplane process: forked by the supervisor (src/supervisor), it owns
 * the native dataplane (worker threads, sockets, UMEMs, XDP programs) and
 * answers the supervisor's requests over IPC (src/supervisor/ipc.ts). It
 * never touches a packet itself: the worker threads do.
 *
 * It stops in order (workers joined, sockets closed, UMEMs freed, XDP
 * detached) and exits when told to, on SIGTERM/SIGINT, and when the IPC
 * channel closes: a supervisor that died must not leave a fast path running
 * that nobody supervises.
 */
import { DataplaneHost } from './host';
import { NativeLoadError } from '../native/binding';
import { isSupervisorMessage, type ChildErrorCode, type ChildMessage, type ChildStartSpec, type RequestType } from '../supervisor/ipc';

let host: DataplaneHost | undefined;
let exiting = false;

function send(msg: ChildMessage): Promise<void> {
  return new Promise((resolve) => {
    if (process.send === undefined || !process.connected) {
      resolve();
      return;
    }
    process.send(msg, undefined, {}, () => resolve());
  });
}

function errorReply(request: RequestType | 'unknown', code: ChildErrorCode, err: unknown): Promise<void> {
  return send({ type: 'error', request, code, message: err instanceof Error ? err.message : String(err) });
}

function closeHost(): void {
  const h = host;
  host = undefined;
  if (h === undefined) return;
  try {
    h.stop();
  } finally {
    h.close();
  }
}

function start(spec: ChildStartSpec): Promise<void> {
  if (host !== undefined) return errorReply('start', 'CHILD_BAD_STATE', new Error('already started'));
  let h: DataplaneHost;
  try {
    h = new DataplaneHost({ workers: spec.workers, maxAttachments: spec.maxAttachments, countersPath: spec.countersPath });
  } catch (err: unknown) {
    return errorReply('start', err instanceof NativeLoadError ? 'CHILD_NATIVE_LOAD' : 'CHILD_START_FAILED', err);
  }
  try {
    h.publish(spec.plan);
    const ports = h.start(spec.run);
    host = h;
    return send({ type: 'ready', pid: process.pid, ports });
  } catch (err: unknown) {
    // start() closed whatever it had opened; the counters stay for the supervisor to read.
    h.close();
    return errorReply('start', 'CHILD_START_FAILED', err);
  }
}

function apply(plan: ChildStartSpec['plan'], revision: number): Promise<void> {
  if (host === undefined) return errorReply('apply', 'CHILD_BAD_STATE', new Error('apply before start'));
  try {
    const generation = host.publish(plan);
    return send({ type: 'applied', revision, generation });
  } catch (err: unknown) {
    return errorReply('apply', 'CHILD_PUBLISH_FAILED', err);
  }
}

/** Stops everything in order and exits; the reply goes out first when there is someone to read it. */
async function shutdown(code: number, reply: boolean): Promise<void> {
  if (exiting) return;
  exiting = true;
  let status = code;
  try {
    closeHost();
  } catch (err: unknown) {
    process.stderr.write(`cix dataplane: stop failed: ${err instanceof Error ? err.message : String(err)}\n`);
    status = 1;
  }
  if (reply) await send({ type: 'stopped' });
  process.exit(status);
}

async function receive(msg: unknown): Promise<void> {
  if (exiting) return;
  if (!isSupervisorMessage(msg)) {
    await errorReply('unknown', 'CHILD_BAD_MESSAGE', new Error('not a supervisor message'));
    return;
  }
  switch (msg.type) {
    case 'start':
      return start(msg.spec);
    case 'apply':
      return apply(msg.plan, msg.revision);
    case 'stop':
      return shutdown(0, true);
  }
}

function main(): void {
  if (process.send === undefined) {
    process.stderr.write('cix dataplane: this is the dataplane process of `cix run`; it is started by the supervisor, not by hand\n');
    process.exit(2);
  }
  process.on('message', (msg: unknown) => void receive(msg));
  process.on('disconnect', () => void shutdown(0, false));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => void shutdown(0, false));
}

main();
