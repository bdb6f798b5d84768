/**
 * A token bucket as AWS describes its API throttling: it starts full, each request that is let through takes one
 * token, tokens come back at `refillPerSecond` up to `capacity`, and a request that finds no token is refused (it takes
 * nothing, so a refused request does not delay the next one).
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  granted = 0;
  refused = 0;

  constructor(
    readonly capacity: number,
    readonly refillPerSecond: number,
    startMs = 0,
  ) {
    if (!(capacity >= 1) || !(refillPerSecond > 0))
      throw new Error(
        `bench: a token bucket needs a capacity >= 1 and a refill rate > 0, got ${capacity}/${refillPerSecond}`,
      );
    this.tokens = capacity;
    this.updatedAt = startMs;
  }

  /** Takes a token at `nowMs` if there is one; false when the request is throttled. */
  take(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      this.granted += 1;
      return true;
    }
    this.refused += 1;
    return false;
  }

  /** The tokens available at `nowMs` (fractions included). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  private refill(nowMs: number): void {
    if (nowMs > this.updatedAt) {
      this.tokens = Math.min(this.capacity, this.tokens + ((nowMs - this.updatedAt) / 1000) * this.refillPerSecond);
      this.updatedAt = nowMs;
    }
  }
}

/**
 * The least time in which `requests` requests can all be let through by a bucket that starts full: the first
 * `capacity` at once, the rest at the refill rate.
 */
export function minimumMsFor(requests: number, capacity: number, refillPerSecond: number): number {
  return requests <= capacity ? 0 : ((requests - capacity) / refillPerSecond) * 1000;
}
