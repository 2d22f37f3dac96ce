// Exponential backoff, as pure arithmetic and as a per-key rate limiter for
// the work queue (client-go's ItemExponentialFailureRateLimiter).

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** Delay before retry number `failures` (1 = first retry): base, 2·base, 4·base, ... capped at max. */
export function backoffDelay(failures: number, { baseMs, maxMs }: BackoffOptions): number {
  if (failures < 1) return 0;
  // Cap the exponent so 2 ** n stays finite for long-failing keys.
  return Math.min(baseMs * 2 ** Math.min(failures - 1, 52), maxMs);
}

/** Decides how long a failed key waits before it is retried. */
export interface RateLimiter {
  /** Records a failure of key and returns how long to wait before retrying it. */
  when(key: string): number;
  /** Clears the failure history of key (after a success). */
  forget(key: string): void;
  /** Failures of key since the last forget. */
  retries(key: string): number;
}

/**
 * Per-key exponential backoff. Defaults follow controller-runtime (5 ms base)
 * with a 5 minute cap instead of 16: a story that keeps failing should still
 * be looked at a few times an hour.
 */
export class ExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly options: BackoffOptions;

  constructor({ baseMs = 5, maxMs = 300_000 }: Partial<BackoffOptions> = {}) {
    if (baseMs <= 0 || maxMs < baseMs) throw new Error(`invalid backoff: baseMs ${baseMs}, maxMs ${maxMs}`);
    this.options = { baseMs, maxMs };
  }

  when(key: string): number {
    const failures = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, failures);
    return backoffDelay(failures, this.options);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
