import assert from 'node:assert/strict';
import { backoffDelay, ExponentialRateLimiter } from './backoff.ts';

describe('backoff', () => {
  it('doubles from the base delay and stops at the cap', () => {
    const options = { baseMs: 100, maxMs: 1000 };
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((failures) => backoffDelay(failures, options)),
      [100, 200, 400, 800, 1000, 1000],
    );
    assert.equal(backoffDelay(0, options), 0);
    assert.equal(backoffDelay(5000, options), 1000, 'a huge failure count stays at the cap');
  });

  it('grows per key, independently, and starts over after forget', () => {
    const limiter = new ExponentialRateLimiter({ baseMs: 10, maxMs: 60 });
    assert.deepEqual([limiter.when('a'), limiter.when('a'), limiter.when('a')], [10, 20, 40]);
    assert.equal(limiter.when('b'), 10, 'another key has its own history');
    assert.equal(limiter.when('a'), 60);
    assert.equal(limiter.when('a'), 60);
    assert.equal(limiter.retries('a'), 5);
    limiter.forget('a');
    assert.equal(limiter.retries('a'), 0);
    assert.equal(limiter.when('a'), 10);
    assert.equal(limiter.retries('b'), 1);
  });

  it('refuses a cap below the base', () => {
    assert.throws(() => new ExponentialRateLimiter({ baseMs: 100, maxMs: 10 }), /invalid backoff/);
  });
});
