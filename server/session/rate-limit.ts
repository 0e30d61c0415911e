/** A budget spent, or refused with how long until it can be spent again. */
export type Spent = { ok: true } | { ok: false; retryAfterMs: number };

/**
 * A token bucket: `rate` tokens a second, holding at most `burst`. Used for
 * trace lines per session and Run requests, so one flood or one script
 * cannot crowd out everyone else.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes up to `wanted` tokens and returns how many it got. */
  take(wanted: number): number {
    this.refill();
    const granted = Math.min(wanted, Math.floor(this.tokens));
    this.tokens -= granted;
    return granted;
  }

  /** Takes one token, or says when the bucket will hold one again. */
  spend(): Spent {
    return this.take(1) > 0 ? { ok: true } : { ok: false, retryAfterMs: this.retryAfterMs(1) };
  }

  /** Milliseconds until `wanted` tokens are there (0: now); a bucket can never hold more than its burst. */
  retryAfterMs(wanted: number): number {
    this.refill();
    const missing = Math.min(wanted, this.burst) - this.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / this.rate) * 1000);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }
}
