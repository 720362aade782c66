import test from 'ava';
import * as fs from 'fs';
import * as path from 'path';

import { findProjectRoot, loadConfigFile } from '../../src/config';
import { buildPlan } from '../../src/dataplane/plan';

// Every example must load without error or warning, so that examples never rot.
const dir = path.join(findProjectRoot(__dirname), 'examples');
const files = fs
  .readdirSync(dir)
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .sort();

test('there are examples to check', (t) => {
  t.true(files.includes('qinq-xconnect.yaml'));
  t.true(files.includes('minimal.yaml'));
});

for (const f of files) {
  test(`examples/${f} loads cleanly and plans`, async (t) => {
    const cfg = await loadConfigFile(path.join(dir, f));
    t.deepEqual(cfg.warnings, []);
    const plan = buildPlan(cfg);
    t.is(plan.attachments.length, cfg.attachments.length);
    // In these examples every attachment is in a service.
    t.true(plan.attachments.every((a) => a.peer >= 0));
  });
}
