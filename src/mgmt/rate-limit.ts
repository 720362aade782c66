/**
 * Per-connection message rate limit: a token bucket admits messages (rate
 * per second, burst); a message beyond it is refused with RATE_LIMITED. A
 * second bucket counts the refusals: a client that keeps going past the
 * limit empties it and is closed (1008), so a flood costs the server a
 * bounded amount of work.
 */

export interface RateLimits {
  /** Sustained messages per second. */
  messagesPerSecond: number;
  /** Messages that may arrive at once after a quiet time. */
  burst: number;
  /** Refused messages tolerated at once before the connection is closed. */
  abuseBurst: number;
  /** Refused messages per second tolerated for ever. */
  abusePerSecond: number;
}

export const DEFAULT_RATE_LIMITS: Readonly<RateLimits> = {
  messagesPerSecond: 100,
  burst: 200,
  abuseBurst: 100,
  abusePerSecond: 10,
};

/** Tokens refill continuously at `rate` per second up to `capacity`; time is a parameter. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export type Admission = 'ok' | 'refused' | 'abuse';

export class MessageRateLimiter {
  private readonly messages: TokenBucket;
  private readonly refusals: TokenBucket;

  constructor(limits: RateLimits, now: number) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.burst, now);
    this.refusals = new TokenBucket(limits.abusePerSecond, limits.abuseBurst, now);
  }

  admit(now: number): Admission {
    if (this.messages.take(now)) return 'ok';
    return this.refusals.take(now) ? 'refused' : 'abuse';
  }
}
