import assert from 'node:assert/strict';
import { slowOrStuck } from './progress.ts';

const NOW = new Date('2026-11-25T12:00:00Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const thresholds = { stuckAfterSeconds: 600, slowAfterSeconds: 1800 };
const attempt = (over: Partial<Parameters<typeof slowOrStuck>[0]> = {}) => ({
  endedAt: null,
  runnerStartedAt: ago(3600),
  heartbeatAt: ago(5),
  step: 'implement',
  stepStartedAt: ago(60),
  ...over,
});

describe('slowOrStuck', () => {
  const cases: { name: string; attempt: ReturnType<typeof attempt>; verdict: string }[] = [
    { name: 'heartbeat fresh, step moving: healthy', attempt: attempt(), verdict: 'Healthy' },
    { name: 'ended: not judged', attempt: attempt({ endedAt: ago(1), heartbeatAt: ago(9999) }), verdict: 'NotRunning' },
    {
      name: 'runner not started (pod pending): not judged',
      attempt: attempt({ runnerStartedAt: null }),
      verdict: 'NotRunning',
    },
    { name: 'no heartbeat for 10 minutes: stuck', attempt: attempt({ heartbeatAt: ago(600) }), verdict: 'Stuck' },
    { name: 'just under 10 minutes: not yet stuck', attempt: attempt({ heartbeatAt: ago(599) }), verdict: 'Healthy' },
    {
      name: 'never a heartbeat since the runner started 10 minutes ago: stuck',
      attempt: attempt({ heartbeatAt: null, runnerStartedAt: ago(601), stepStartedAt: null }),
      verdict: 'Stuck',
    },
    {
      name: 'a new heartbeat after a silence counts, not the silence',
      attempt: attempt({ heartbeatAt: ago(2), runnerStartedAt: ago(5000) }),
      verdict: 'Healthy',
    },
    {
      name: 'heartbeat fresh, one step for 30 minutes: slow, not stuck',
      attempt: attempt({ stepStartedAt: ago(1800) }),
      verdict: 'Slow',
    },
    {
      name: 'silent and slow: stuck wins (a dead runner makes no progress either)',
      attempt: attempt({ heartbeatAt: ago(700), stepStartedAt: ago(5000) }),
      verdict: 'Stuck',
    },
    {
      name: 'no step yet: slowness counts from the runner start',
      attempt: attempt({ step: null, stepStartedAt: null, runnerStartedAt: ago(1900) }),
      verdict: 'Slow',
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(slowOrStuck(c.attempt, NOW, thresholds).verdict, c.verdict));
  }

  it('says how long and which threshold', () => {
    const stuck = slowOrStuck(attempt({ heartbeatAt: ago(720) }), NOW, thresholds);
    assert.equal(stuck.verdict, 'Stuck');
    assert.match(
      stuck.verdict === 'Stuck' ? stuck.message : '',
      /no heartbeat for 720 s \(health.stuckAfterSeconds 600\)/,
    );
    const slow = slowOrStuck(attempt({ stepStartedAt: ago(2000) }), NOW, thresholds);
    assert.match(slow.verdict === 'Slow' ? slow.message : '', /step implement has run for 2000 s/);
  });
});
