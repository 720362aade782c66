/**
 * The NDR/PDR search against simulated devices (no network): a device with a
 * fixed capacity loses what is offered above it; the search must land within
 * its resolution of the true rates, within its trial budget, and a rate must
 * hold twice to count.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { SearchOptions, Trial } from '../search';
import { highestHeld, passes, searchRate } from '../search';

const OPTS: SearchOptions = { maxTrials: 20, resolution: 0.01, minOfferedRatio: 0.98, passesToHold: 2 };

/** A device forwarding at most `capacity` pps, fed by a generator that manages at most `genMax` pps. */
function device(capacity: number, genMax: number, slowsGenerator = false) {
  let calls = 0;
  const run = async (requested: number): Promise<Trial> => {
    calls++;
    let offered = requested === 0 ? genMax : Math.min(requested, genMax);
    // A device on the generator's own core slows it down instead of losing frames.
    if (slowsGenerator) offered = Math.min(offered, capacity);
    const forwarded = Math.min(offered, capacity);
    return { requestedPps: requested, offeredPps: offered, forwardedPps: forwarded, loss: (offered - forwarded) / offered };
  };
  return { run, calls: () => calls };
}

const trial = (requestedPps: number, loss: number): Trial => ({
  requestedPps,
  offeredPps: requestedPps || 900_000,
  forwardedPps: (requestedPps || 900_000) * (1 - loss),
  loss,
});

test('NDR lands within the resolution below the capacity, every held rate tried twice', async () => {
  const d = device(410_000, 1_000_000);
  const trials = [await d.run(0)];
  const r = await searchRate(0, trials, d.run, OPTS);
  assert.ok(r.best, 'some rate held');
  assert.ok(r.best.requestedPps <= 410_000, `NDR ${r.best.requestedPps} above the capacity`);
  assert.ok(410_000 - r.best.requestedPps <= OPTS.resolution * 1_000_000, `NDR ${r.best.requestedPps} too far below`);
  assert.equal(r.end, 'resolution');
  assert.equal(trials.filter((t) => t.requestedPps === r.best?.requestedPps).length, 2);
  assert.ok(d.calls() - 1 <= OPTS.maxTrials);
});

test('PDR allows 0.5% loss and builds on the NDR trials', async () => {
  const d = device(500_000, 1_000_000);
  const trials = [await d.run(0)];
  const ndr = await searchRate(0, trials, d.run, OPTS);
  const before = trials.length;
  const pdr = await searchRate(0.005, trials, d.run, OPTS);
  assert.ok(ndr.best && pdr.best);
  const limit = 500_000 / (1 - 0.005); // highest rate with <= 0.5% loss
  assert.ok(pdr.best.requestedPps <= limit && pdr.best.requestedPps >= ndr.best.requestedPps);
  assert.ok(limit - pdr.best.requestedPps <= OPTS.resolution * 1_000_000 + 1);
  assert.ok(trials.length - before <= OPTS.maxTrials);
});

test('no loss with the generator flat out: the generator is the limit, nothing more is tried', async () => {
  const d = device(2_000_000, 700_000);
  const trials = [await d.run(0), await d.run(0)];
  const r = await searchRate(0, trials, d.run, OPTS);
  assert.equal(r.end, 'at-generator-limit');
  assert.equal(r.best?.offeredPps, 700_000);
  assert.equal(d.calls(), 2);
});

test('a device on the generator\'s core (it slows the generator, loses nothing) is at the generator limit', async () => {
  const d = device(350_000, 700_000, true);
  const trials = [await d.run(0), await d.run(0)];
  const r = await searchRate(0, trials, d.run, OPTS);
  assert.equal(r.end, 'at-generator-limit');
  assert.equal(r.best?.offeredPps, 350_000);
});

test('a rate the generator could not offer does not pass, even without loss', () => {
  const t: Trial = { requestedPps: 500_000, offeredPps: 400_000, forwardedPps: 400_000, loss: 0 };
  assert.equal(passes(t, 0, OPTS), false);
  assert.equal(passes({ ...t, offeredPps: 495_000, forwardedPps: 495_000 }, 0, OPTS), true);
});

test('the trial budget bounds the search', async () => {
  const d = device(123_457, 10_000_000);
  const trials = [await d.run(0)];
  const r = await searchRate(0, trials, d.run, { ...OPTS, maxTrials: 3, resolution: 0.0001 });
  assert.equal(r.end, 'trials');
  assert.equal(d.calls(), 4);
  assert.ok(r.lowPps <= 123_457 && 123_457 <= r.highPps, `interval ${r.lowPps}-${r.highPps} holds the capacity`);
});

test('a device that loses everything has no NDR', async () => {
  const run = async (requested: number): Promise<Trial> => ({ requestedPps: requested, offeredPps: requested || 1_000_000, forwardedPps: 0, loss: 1 });
  const trials = [await run(0)];
  const r = await searchRate(0, trials, run, { ...OPTS, maxTrials: 10 });
  assert.equal(r.best, undefined);
});

test('a device that loses a few frames now and then gets the rate it holds, not one it passed once', async () => {
  // Capacity 800 kpps, but above 500 kpps every other trial loses a few frames.
  let k = 0;
  const run = async (requested: number): Promise<Trial> => {
    const offered = requested === 0 ? 3_000_000 : requested;
    const forwarded = Math.min(offered, 800_000);
    let loss = (offered - forwarded) / offered;
    if (requested > 500_000 && k++ % 2 === 1) loss = Math.max(loss, 0.0005);
    return { requestedPps: requested, offeredPps: offered, forwardedPps: offered * (1 - loss), loss };
  };
  const trials = [await run(0)];
  const r = await searchRate(0, trials, run, OPTS);
  assert.ok(r.best, 'a rate held');
  assert.ok(r.best.requestedPps <= 500_000, `NDR ${r.best.requestedPps}: a rate that lost frames in one of its trials`);
  for (const t of trials) {
    if (t.requestedPps === r.best.requestedPps) assert.equal(t.loss, 0);
  }
});

test('the top of the range is capped by what the device forwarded flat out', async () => {
  const d = device(400_000, 10_000_000);
  const trials = [await d.run(0)];
  await searchRate(0, trials, d.run, OPTS);
  const firstPaced = trials[1].requestedPps;
  assert.ok(firstPaced <= 400_000 * 1.05, `first paced trial at ${firstPaced}, far above the 400 kpps forwarded`);
  assert.ok(d.calls() - 1 <= 12, `${d.calls() - 1} trials for a range capped near 420 kpps`);
});

test('a device that forwards less under overload than it carries is still found (the cap is tried, not assumed)', async () => {
  // Receive livelock: 400 kpps carried, but only 150 kpps forwarded when flooded.
  const run = async (requested: number): Promise<Trial> => {
    const offered = requested === 0 ? 1_000_000 : requested;
    const forwarded = offered <= 400_000 ? offered : 150_000;
    return { requestedPps: requested, offeredPps: offered, forwardedPps: forwarded, loss: (offered - forwarded) / offered };
  };
  const trials = [await run(0)];
  const r = await searchRate(0, trials, run, { ...OPTS, maxTrials: 30 });
  assert.ok(r.best && 400_000 - r.best.requestedPps <= OPTS.resolution * 1_000_000, `NDR ${r.best?.requestedPps}`);
});

test('the answer is the highest rate that held in the whole run', () => {
  const trials = [
    trial(0, 0.2),
    trial(300_000, 0), trial(300_000, 0),
    trial(350_000, 0.01),
    trial(320_000, 0), trial(320_000, 0),
    trial(340_000, 0.004), trial(340_000, 0.001),
    trial(345_000, 0), // passed once only
    trial(330_000, 0), trial(330_000, 0.0001), // passed, then lost a frame
  ];
  assert.equal(highestHeld(trials, 0, OPTS)?.requestedPps, 320_000);
  assert.equal(highestHeld(trials, 0.005, OPTS)?.requestedPps, 340_000);
  assert.equal(highestHeld([trial(0, 0), trial(0, 0), trial(400_000, 0)], 0, OPTS)?.requestedPps, 0, 'flat out above every paced rate');
});

test('the search needs a flat-out trial first', async () => {
  await assert.rejects(searchRate(0, [], async () => trial(1, 0), OPTS));
});
