/**
 * The messages between the supervisor and its dataplane process
 * (src/dataplane/child.ts), over the IPC channel of child_process.fork with
 * 'advanced' serialization (structured clone: bigint survives).
 *
 * One request at a time: the supervisor sends start, apply or stop and waits
 * for its reply (ready, applied, stopped) or an error with a stable code.
 * Both ends check what they receive with the guards below, so a malformed
 * message is an error reply, never a crash.
 */
import type { LivePortStatus, LiveRunSpec } from '../native/binding';
import type { TablesPlan } from '../native/plan';

/** Everything a dataplane process needs to run: counters file, tables, live ports. */
export interface ChildStartSpec {
  /** Worker threads (= Dataplane({workers}) and run.workers). */
  workers: number;
  /** Attachment capacity the counters and tables are sized for. */
  maxAttachments: number;
  /** File the counter block is mapped from (MAP_SHARED, the supervisor reads it in place). */
  countersPath: string;
  /** Tables published before the ports open. */
  plan: TablesPlan;
  revision: number;
  run: LiveRunSpec;
}

export type SupervisorMessage =
  | { type: 'start'; spec: ChildStartSpec }
  | { type: 'apply'; plan: TablesPlan; revision: number }
  | { type: 'stop' };

export type RequestType = SupervisorMessage['type'];

export type ChildErrorCode =
  /** The addon could not be loaded (not built, wrong ABI). */
  | 'CHILD_NATIVE_LOAD'
  /** Opening a port or starting the workers failed; nothing stays open. */
  | 'CHILD_START_FAILED'
  /** The tables were refused; the running epoch is unchanged. */
  | 'CHILD_PUBLISH_FAILED'
  /** A request that does not fit the process's state (apply before start, start twice). */
  | 'CHILD_BAD_STATE'
  /** A message that is not a SupervisorMessage. */
  | 'CHILD_BAD_MESSAGE';

export type ChildMessage =
  | { type: 'ready'; pid: number; ports: LivePortStatus[] }
  | { type: 'applied'; revision: number; generation: number }
  | { type: 'stopped' }
  | { type: 'error'; request: RequestType | 'unknown'; code: ChildErrorCode; message: string };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPlan(v: unknown): v is TablesPlan {
  return isObject(v) && Array.isArray(v.ports) && Array.isArray(v.attachments);
}

function isRunSpec(v: unknown): v is LiveRunSpec {
  return (
    isObject(v) &&
    Array.isArray(v.ports) &&
    typeof v.workers === 'number' &&
    Array.isArray(v.cpus) &&
    typeof v.burst === 'number'
  );
}

function isStartSpec(v: unknown): v is ChildStartSpec {
  return (
    isObject(v) &&
    typeof v.workers === 'number' &&
    typeof v.maxAttachments === 'number' &&
    typeof v.countersPath === 'string' &&
    typeof v.revision === 'number' &&
    isPlan(v.plan) &&
    isRunSpec(v.run)
  );
}

/** Shape check of what the dataplane process receives; the addon checks values again. */
export function isSupervisorMessage(v: unknown): v is SupervisorMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'start':
      return isStartSpec(v.spec);
    case 'apply':
      return isPlan(v.plan) && typeof v.revision === 'number';
    case 'stop':
      return true;
    default:
      return false;
  }
}

const CHILD_ERROR_CODES: ReadonlySet<string> = new Set<ChildErrorCode>([
  'CHILD_NATIVE_LOAD',
  'CHILD_START_FAILED',
  'CHILD_PUBLISH_FAILED',
  'CHILD_BAD_STATE',
  'CHILD_BAD_MESSAGE',
]);

/** Shape check of what the supervisor receives. */
export function isChildMessage(v: unknown): v is ChildMessage {
  if (!isObject(v)) return false;
  switch (v.type) {
    case 'ready':
      return typeof v.pid === 'number' && Array.isArray(v.ports);
    case 'applied':
      return typeof v.revision === 'number' && typeof v.generation === 'number';
    case 'stopped':
      return true;
    case 'error':
      return typeof v.code === 'string' && CHILD_ERROR_CODES.has(v.code) && typeof v.message === 'string' && typeof v.request === 'string';
    default:
      return false;
  }
}
