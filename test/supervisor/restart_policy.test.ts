import test from 'ava';

import { RestartPolicy } from '../../src/supervisor/restart_policy';

test('restarts are immediate until deaths pile up in the window, then back off up to the cap', (t) => {
  const p = new RestartPolicy({ windowMs: 10_000, freeRestarts: 5, initialDelayMs: 250, maxDelayMs: 2_000 });
  const delays = [0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => p.recordDeath(1_000 + i * 100));
  t.deepEqual(delays, [0, 0, 0, 0, 0, 250, 500, 1_000, 2_000]);
  t.is(p.recentDeaths(1_900), 9);
  // Long after: the window has forgotten them.
  t.is(p.recordDeath(60_000), 0);
  t.is(p.recentDeaths(60_000), 1);
});
