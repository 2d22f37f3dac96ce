// When a crashed attempt is retried: exponential backoff from the time the
// crash was recorded. Pure; the health monitor restarts stuck runners with the
// same arithmetic.
import { backoffDelay } from '../kube/backoff.ts';

export interface RetryPolicy {
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
}

/** Crash backoff in seconds: base · 2^(failures-1), capped. */
export function retryDelaySeconds(failures: number, policy: RetryPolicy): number {
  return (
    backoffDelay(failures, { baseMs: policy.backoffBaseSeconds * 1000, maxMs: policy.backoffMaxSeconds * 1000 }) / 1000
  );
}

/** The earliest time the next attempt may start after the failures-th crash, which ended at crashedAt. */
export function retryAt(crashedAt: Date, failures: number, policy: RetryPolicy): Date {
  return new Date(crashedAt.getTime() + retryDelaySeconds(failures, policy) * 1000);
}
