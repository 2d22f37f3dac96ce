import assert from 'node:assert/strict';
import type { SendFailure } from './channels/transport.ts';
import { afterFailure } from './retry.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const policy = { baseSeconds: 5, maxSeconds: 600, giveUpAfterSeconds: 3600 };
const created = (secondsAgo: number) => new Date(NOW.getTime() - secondsAgo * 1000);

describe('afterFailure', () => {
  const cases: {
    name: string;
    failure: SendFailure;
    attempts: number;
    createdSecondsAgo?: number;
    deduplicates?: boolean;
    want: string;
  }[] = [
    { name: 'first failure: base delay', failure: { outcome: 'retry', message: '' }, attempts: 1, want: 'retry +5s' },
    { name: 'doubling with each attempt', failure: { outcome: 'retry', message: '' }, attempts: 4, want: 'retry +40s' },
    { name: 'capped at maxSeconds', failure: { outcome: 'retry', message: '' }, attempts: 30, want: 'retry +600s' },
    {
      name: 'Retry-After longer than the backoff wins',
      failure: { outcome: 'retry', message: '429', retryAfterMs: 30_000 },
      attempts: 1,
      want: 'retry +30s',
    },
    {
      name: 'the backoff longer than Retry-After wins',
      failure: { outcome: 'retry', message: '429', retryAfterMs: 1_000 },
      attempts: 3,
      want: 'retry +20s',
    },
    {
      name: 'past the give-up time: failed',
      failure: { outcome: 'retry', message: '' },
      attempts: 3,
      createdSecondsAgo: 3590,
      want: 'fail',
    },
    {
      name: 'refused for good: failed at once',
      failure: { outcome: 'rejected', message: '400' },
      attempts: 1,
      want: 'fail',
    },
    {
      name: 'no answer from a provider that does not de-duplicate: uncertain, never resent',
      failure: { outcome: 'unknown', message: 'socket hang up' },
      attempts: 1,
      want: 'uncertain',
    },
    {
      name: 'no answer from a provider that de-duplicates: sent again',
      failure: { outcome: 'unknown', message: 'socket hang up' },
      attempts: 1,
      deduplicates: true,
      want: 'retry +5s',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const after = afterFailure(
        c.failure,
        { attempts: c.attempts, createdAt: created(c.createdSecondsAgo ?? 0) },
        { policy, deduplicates: c.deduplicates ?? false, now: NOW },
      );
      const got =
        after.action === 'retry' ? `retry +${(after.notBefore.getTime() - NOW.getTime()) / 1000}s` : after.action;
      assert.equal(got, c.want);
    });
  }
});
