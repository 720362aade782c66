/**
 * The zero-loss (NDR) and partial-drop (PDR) rates by binary search, as in
 * RFC 2544 §26.1: offer a rate for a fixed time, count what came out, and
 * halve the interval between the highest rate that held and the lowest that
 * failed until it is narrower than the resolution or the trials run out.
 * Pure: the trial is a function, so the search is tested without a network
 * (bench/live/test/search.test.ts).
 *
 * A trial passes when its loss is at most the limit AND the generator
 * really offered the rate asked for (within minOfferedRatio): on veth the
 * receiving side's kernel work can run on the sender's core and slow the
 * generator down instead of losing frames, and a rate that could not be
 * offered was not carried either.
 *
 * A rate holds when its trials passed `passesToHold` times (2 by default)
 * and never failed: a pass is run again at once, and one failed trial fails
 * the rate. A device that loses a few frames now and then thus gets the rate
 * it holds, not one it happened to pass once; the price is that a moment of
 * noise from outside fails a rate too (run on a quiet machine: every trial
 * is listed with the results).
 *
 * Both searches share one list of trials: every trial bounds both (a trial
 * at 0.3% loss fails the NDR and passes the PDR), so the PDR search starts
 * from what the NDR search learned, and the figures are taken from all the
 * trials of the run. First, flat-out trials (the generator unpaced) give the
 * top of the range; the rate the device forwarded under that overload caps
 * it (nothing above its capacity plus the allowed loss can pass) and is
 * where the search looks first.
 */

export interface Trial {
  /** Frames per second asked of the generator; 0: unpaced (as fast as it can). */
  requestedPps: number;
  /** What the generator achieved: frames sent / time. */
  offeredPps: number;
  /** What reached the sink: frames received / time. */
  forwardedPps: number;
  /** (sent - received) / sent, 0..1. */
  loss: number;
}

export interface SearchOptions {
  /** Most trials per search (the flat-out ones not counted). */
  maxTrials: number;
  /** Stop when the interval is this narrow, as a fraction of the top rate. */
  resolution: number;
  /** A paced trial whose offered rate is below this fraction of the asked rate does not pass. */
  minOfferedRatio: number;
  /** Passing trials (and no failed one) for a rate to hold. */
  passesToHold: number;
}

export const DEFAULT_SEARCH: SearchOptions = { maxTrials: 12, resolution: 0.01, minOfferedRatio: 0.98, passesToHold: 2 };

/** Margin over the most the device forwarded flat out, for the top of a search. */
const FORWARDED_MARGIN = 1.05;

/** Why a search stopped. */
export type SearchEnd =
  /** Nothing was lost at the generator's full rate: the rate is the generator's (or the shared core's) limit. */
  | 'at-generator-limit'
  /** The interval is narrower than the resolution. */
  | 'resolution'
  /** The trials ran out first. */
  | 'trials';

export interface SearchResult<T extends Trial> {
  /** The fastest trial at the highest rate that held; undefined when none held. */
  best: T | undefined;
  end: SearchEnd;
  /** The interval the answer lies in, frames per second. */
  lowPps: number;
  highPps: number;
}

export function passes(t: Trial, lossLimit: number, o: SearchOptions): boolean {
  if (t.loss > lossLimit) return false;
  return t.requestedPps === 0 || t.offeredPps >= o.minOfferedRatio * t.requestedPps;
}

type RateStatus = 'held' | 'failed' | 'pending';

/** A rate's standing from its trials: failed once any failed, held after passesToHold passes, else pending. */
function statusOf(trials: Trial[], rate: number, lossLimit: number, o: SearchOptions): RateStatus {
  let passed = 0;
  for (const t of trials) {
    if (t.requestedPps !== rate) continue;
    if (!passes(t, lossLimit, o)) return 'failed';
    passed++;
  }
  return passed >= o.passesToHold ? 'held' : 'pending';
}

/** The unpaced trial with the highest offered rate: the top of the range (undefined: none yet). */
export function flatOut<T extends Trial>(trials: T[]): T | undefined {
  let top: T | undefined;
  for (const t of trials) if (t.requestedPps === 0 && (!top || t.offeredPps > top.offeredPps)) top = t;
  return top;
}

/**
 * The answer of the run for one loss limit: the fastest trial at the
 * highest rate that held (the flat-out rate above every paced one).
 */
export function highestHeld<T extends Trial>(trials: T[], lossLimit: number, o: SearchOptions): T | undefined {
  const order = (rate: number): number => (rate === 0 ? Infinity : rate);
  const rates = [...new Set(trials.map((t) => t.requestedPps))].sort((a, b) => order(b) - order(a));
  const rate = rates.find((r) => statusOf(trials, r, lossLimit, o) === 'held');
  if (rate === undefined) return undefined;
  return trials.filter((t) => t.requestedPps === rate).reduce((a, b) => (b.offeredPps > a.offeredPps ? b : a));
}

/**
 * The top of the search: the flat-out rate, or less when the flat-out
 * trials say where the device's capacity is. At an offered rate R it
 * forwards F <= its capacity, and passes only if F >= R (1 - lossLimit): so
 * no R above capacity / (1 - lossLimit) passes. The capacity is taken as
 * the most it forwarded flat out, with a margin. A device may forward less
 * when flooded than it carries (receive livelock): once a rate at or above
 * the cap holds, the cap is wrong and the top is the flat-out rate again.
 */
function ceilingOf(trials: Trial[], lossLimit: number, o: SearchOptions, top: number): number {
  let forwarded = 0;
  for (const t of trials) if (t.requestedPps === 0) forwarded = Math.max(forwarded, t.forwardedPps);
  const cap = Math.min(top, (forwarded / (1 - lossLimit)) * FORWARDED_MARGIN);
  const disproved = trials.some((t) => t.requestedPps >= cap && statusOf(trials, t.requestedPps, lossLimit, o) !== 'failed');
  return disproved ? top : cap;
}

interface Bounds {
  /** Highest paced rate that held (0: none). */
  low: number;
  /** Lowest failed rate above it, or the top. */
  high: number;
  /** `high` is a failed rate (not the top or the cap). */
  highFailed: boolean;
  /** A rate between them that passed once and awaits its repeat. */
  pending: number | undefined;
}

function bounds(trials: Trial[], lossLimit: number, o: SearchOptions, top: number): Bounds {
  const rates = [...new Set(trials.map((t) => t.requestedPps).filter((r) => r > 0))];
  const status = new Map(rates.map((r) => [r, statusOf(trials, r, lossLimit, o)]));
  let low = 0;
  for (const r of rates) if (status.get(r) === 'held') low = Math.max(low, r);
  let high = top;
  let highFailed = false;
  for (const r of rates) {
    if (r > low && r <= high && status.get(r) === 'failed') {
      high = r;
      highFailed = true;
    }
  }
  let pending: number | undefined;
  for (const r of rates) if (r > low && r < high && status.get(r) === 'pending' && (pending === undefined || r > pending)) pending = r;
  return { low, high: Math.max(high, low), highFailed, pending };
}

/**
 * Searches for the highest rate that holds with loss <= lossLimit. `trials`
 * holds the trials so far (at least one flat-out trial) and gets the new
 * ones appended; at most o.maxTrials are added.
 */
export async function searchRate<T extends Trial>(
  lossLimit: number,
  trials: T[],
  run: (ratePps: number) => Promise<T>,
  o: SearchOptions = DEFAULT_SEARCH,
): Promise<SearchResult<T>> {
  const unpaced = flatOut(trials);
  if (!unpaced) throw new Error('internal: the search needs a flat-out trial first');
  const top = unpaced.offeredPps;
  const flatOutStatus = statusOf(trials, 0, lossLimit, o);
  if (flatOutStatus !== 'failed' && trials.some((t) => t.requestedPps === 0 && passes(t, lossLimit, o))) {
    return { best: highestHeld(trials, lossLimit, o) ?? unpaced, end: 'at-generator-limit', lowPps: top, highPps: top };
  }
  const step = Math.max(1, o.resolution * top);
  let seeded = false;
  for (let n = 0; ; n++) {
    const b = bounds(trials, lossLimit, o, ceilingOf(trials, lossLimit, o, top));
    const closed = b.high - b.low <= step;
    // Closed against a failed rate (or the top): done. Closed against the cap
    // from the forwarded rate, which no trial has tried: try it (if it holds,
    // the cap goes and the search goes on).
    const done = closed && b.pending === undefined && (b.highFailed || b.high >= top);
    if (done || n >= o.maxTrials) {
      return { best: highestHeld(trials, lossLimit, o), end: done ? 'resolution' : 'trials', lowPps: b.low, highPps: b.high };
    }
    let rate: number;
    if (b.pending !== undefined) {
      rate = b.pending; // a pass is repeated before the rate holds
    } else if (closed) {
      rate = b.high;
    } else {
      // First look just below what the device forwarded under overload: its
      // capacity is usually there, which saves halving from the top.
      rate = (b.low + b.high) / 2;
      const guess = unpaced.forwardedPps * (1 - lossLimit) * 0.99;
      if (!seeded && guess > b.low + step && guess < b.high - step) rate = guess;
    }
    seeded = true;
    trials.push(await run(Math.round(rate)));
  }
}
