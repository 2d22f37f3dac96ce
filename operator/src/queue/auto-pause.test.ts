import assert from 'node:assert/strict';
import { shouldAutoPause, type FailedStory } from './auto-pause.ts';

const NOW = new Date('2026-11-25T03:00:00Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000);
const failed = (name: string, m: number): FailedStory => ({
  name,
  uid: `uid-${name}`,
  failedAt: minutesAgo(m),
  reason: 'VerificationFailed',
});
const policy = { failures: 3, withinMinutes: 60 };

describe('shouldAutoPause', () => {
  const cases: { name: string; failures: FailedStory[]; lastAutoPausedAt?: Date; pause: boolean; counted: number }[] = [
    {
      name: 'three failures within the hour: pause',
      failures: [failed('a', 50), failed('b', 20), failed('c', 1)],
      pause: true,
      counted: 3,
    },
    { name: 'two: not yet', failures: [failed('a', 50), failed('b', 20)], pause: false, counted: 2 },
    {
      name: 'one of three is older than the window: not yet',
      failures: [failed('a', 61), failed('b', 20), failed('c', 1)],
      pause: false,
      counted: 2,
    },
    {
      name: 'failures before the last auto-pause do not count again after a resume',
      failures: [failed('a', 30), failed('b', 20), failed('c', 10), failed('d', 2)],
      lastAutoPausedAt: minutesAgo(9),
      pause: false,
      counted: 1,
    },
    {
      name: 'three new failures after the resume pause it again',
      failures: [failed('a', 30), failed('d', 8), failed('e', 5), failed('f', 1)],
      lastAutoPausedAt: minutesAgo(9),
      pause: true,
      counted: 3,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const decision = shouldAutoPause(c.failures, policy, NOW, c.lastAutoPausedAt);
      assert.equal(decision.pause, c.pause, decision.message);
      assert.equal(decision.counted.length, c.counted);
    });
  }

  it('names the stories and how to resume', () => {
    const { message } = shouldAutoPause([failed('a', 3), failed('b', 2), failed('c', 1)], policy, NOW);
    assert.match(message, /a \(VerificationFailed\), b .*, c .*; set spec.paused to false to resume/);
  });
});
