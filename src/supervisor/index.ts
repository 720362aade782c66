/** The supervisor: the dataplane process, its restarts, and what management and metrics see of it. */
export type * from './api';
export { Supervisor, type SupervisorOptions } from './supervisor';
export { SupervisorError, NetCommandError, type SupervisorErrorCode } from './errors';
export { ShmCounterFiles, type CounterFiles } from './counter_files';
export { forkDataplane, type ChildHandle, type ChildLauncher, type ProcessTimeouts } from './dataplane_process';
export type { RestartPolicyOptions } from './restart_policy';
