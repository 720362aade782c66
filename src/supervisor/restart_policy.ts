/**
 * When to restart a dataplane process that died: at once while deaths are
 * rare, with a growing delay when it keeps dying (a crash loop must not
 * spin two cores), back to "at once" when it has stayed up for a while.
 * Pure: time is an argument.
 */

export interface RestartPolicyOptions {
  /** Deaths are counted over this window (ms). */
  windowMs: number;
  /** Deaths inside the window that are restarted at once. */
  freeRestarts: number;
  /** First delay once freeRestarts are used up; doubles with every further death. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  windowMs: 10_000,
  freeRestarts: 5,
  initialDelayMs: 250,
  maxDelayMs: 5_000,
};

export class RestartPolicy {
  private deaths: number[] = [];

  constructor(private readonly opts: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Records a death at `now` (ms) and returns how long to wait before the next start. */
  recordDeath(now: number): number {
    this.deaths = this.deaths.filter((t) => now - t < this.opts.windowMs);
    this.deaths.push(now);
    const over = this.deaths.length - this.opts.freeRestarts;
    if (over <= 0) return 0;
    return Math.min(this.opts.maxDelayMs, this.opts.initialDelayMs * 2 ** (over - 1));
  }

  /** Deaths inside the window ending at `now`. */
  recentDeaths(now: number): number {
    return this.deaths.filter((t) => now - t < this.opts.windowMs).length;
  }
}
