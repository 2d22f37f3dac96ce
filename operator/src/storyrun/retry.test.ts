import assert from 'node:assert/strict';
import { retryAt, retryDelaySeconds } from './retry.ts';

describe('retryAt', () => {
  const policy = { backoffBaseSeconds: 10, backoffMaxSeconds: 300 };
  const table: [failures: number, seconds: number][] = [
    [1, 10],
    [2, 20],
    [3, 40],
    [6, 300],
    [60, 300],
  ];
  for (const [failures, seconds] of table) {
    it(`after crash ${failures}: ${seconds} s`, () => {
      assert.equal(retryDelaySeconds(failures, policy), seconds);
      const crashedAt = new Date('2026-11-25T12:00:00Z');
      assert.equal(retryAt(crashedAt, failures, policy).getTime() - crashedAt.getTime(), seconds * 1000);
    });
  }
});
