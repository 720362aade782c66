import test from 'ava';

import { isChildMessage, isSupervisorMessage } from '../../src/supervisor/ipc';

const run = { ports: [], workers: 1, cpus: [], burst: 64 };
const plan = { ports: [], attachments: [] };

test('supervisor messages are checked before the dataplane acts on them', (t) => {
  t.true(isSupervisorMessage({ type: 'stop' }));
  t.true(isSupervisorMessage({ type: 'apply', plan, revision: 3 }));
  t.true(isSupervisorMessage({ type: 'start', spec: { workers: 1, maxAttachments: 8, countersPath: '/dev/shm/x', plan, revision: 1, run } }));
  t.false(isSupervisorMessage({ type: 'start', spec: { workers: 1, plan, run } }));
  t.false(isSupervisorMessage({ type: 'apply', plan: { ports: 'x' }, revision: 3 }));
  t.false(isSupervisorMessage({ type: 'reboot' }));
  t.false(isSupervisorMessage(null));
  t.false(isSupervisorMessage([]));
});

test('dataplane replies are checked before the supervisor believes them', (t) => {
  t.true(isChildMessage({ type: 'ready', pid: 5, ports: [] }));
  t.true(isChildMessage({ type: 'applied', revision: 1, generation: 2 }));
  t.true(isChildMessage({ type: 'error', request: 'start', code: 'CHILD_START_FAILED', message: 'cust0: no such device' }));
  t.false(isChildMessage({ type: 'error', request: 'start', code: 'WHATEVER', message: 'x' }));
  t.false(isChildMessage({ type: 'ready', pid: '5', ports: [] }));
  t.false(isChildMessage('ready'));
});
