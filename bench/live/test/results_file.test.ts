/** Where a live section goes in RESULTS.md, next to cix_bench's sections. */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { withSection } from '../results_file';

const PRE = '# cix benchmark results\n\nPreamble.\n\n';
const PIPE = '## 2026-11-24 · AMD EPYC · 2 cores · Linux 6.18\n\n| pipeline |\n\n';
const LIVE_A = '## live · 2026-11-24 · AMD EPYC · 2 cores · Linux 6.18\n\n| live A |\n\n';
const LIVE_B = '## live · 2026-11-24 · AMD EPYC · 2 cores · Linux 6.18\n\n| live B |\n\n';
const LIVE_OLD = '## live · 2026-11-20 · AMD EPYC · 2 cores · Linux 6.18\n\n| old |\n\n';

test('a new section goes first, after the preamble', () => {
  assert.equal(withSection(PRE + PIPE, LIVE_A), PRE + LIVE_A + PIPE);
});

test('the same heading (day, machine) is replaced in place, the others kept', () => {
  const file = PRE + PIPE + LIVE_A + LIVE_OLD;
  assert.equal(withSection(file, LIVE_B), PRE + PIPE + LIVE_B + LIVE_OLD);
});

test("the pipeline bench's section of the same day is not a live section", () => {
  const out = withSection(PRE + PIPE, LIVE_A);
  assert.ok(out.includes('| pipeline |') && out.includes('| live A |'));
});

test('a file with only a preamble gets the section at its end', () => {
  assert.equal(withSection(PRE, LIVE_A), PRE + LIVE_A);
  assert.equal(withSection('# t\n', LIVE_A), '# t\n\n' + LIVE_A);
});
