// What becomes of a delivery whose send failed: sent again after an
// exponential backoff (or Slack's Retry-After), given up after
// retry.giveUpAfterSeconds, refused for good, or — when the provider may have
// it and does not de-duplicate — recorded as uncertain and never sent again.
import { backoffDelay } from '../kube/backoff.ts';
import type { SendFailure } from './channels/transport.ts';

export interface RetryPolicy {
  baseSeconds: number;
  maxSeconds: number;
  giveUpAfterSeconds: number;
}

export type AfterFailure = { action: 'retry'; notBefore: Date } | { action: 'fail' } | { action: 'uncertain' };

export function afterFailure(
  failure: SendFailure,
  delivery: { attempts: number; createdAt: Date },
  options: { policy: RetryPolicy; deduplicates: boolean; now: Date },
): AfterFailure {
  const { policy, now } = options;
  if (failure.outcome === 'rejected') return { action: 'fail' };
  if (failure.outcome === 'unknown' && !options.deduplicates) return { action: 'uncertain' };
  const delayMs = Math.max(
    failure.outcome === 'retry' ? (failure.retryAfterMs ?? 0) : 0,
    backoffDelay(delivery.attempts, { baseMs: policy.baseSeconds * 1000, maxMs: policy.maxSeconds * 1000 }),
  );
  const notBefore = new Date(now.getTime() + delayMs);
  if (notBefore.getTime() - delivery.createdAt.getTime() > policy.giveUpAfterSeconds * 1000) return { action: 'fail' };
  return { action: 'retry', notBefore };
}
