import assert from 'node:assert/strict';
import { observe, pod, policy, runPhase, session, storyRun } from '../plan-fixtures.ts';
import { planPause } from './pause.ts';

describe('lifecycle: pause', () => {
  const cases: {
    name: string;
    pauseMode: 'Graceful' | 'Immediate';
    pod?: ReturnType<typeof pod>;
    actions: unknown[];
    phase: string;
  }[] = [
    {
      name: 'graceful: the long grace period, so the step in flight finishes',
      pauseMode: 'Graceful',
      pod: pod(),
      actions: [{ type: 'StopPod', podName: 's-1', graceSeconds: 300, why: 'graceful pause requested' }],
      phase: 'Pausing',
    },
    {
      name: 'a pod already stopping with that grace is left alone',
      pauseMode: 'Graceful',
      pod: pod({ terminating: true, deletionGracePeriodSeconds: 300 }),
      actions: [],
      phase: 'Pausing',
    },
    {
      name: 'immediate cuts a graceful stop short',
      pauseMode: 'Immediate',
      pod: pod({ terminating: true, deletionGracePeriodSeconds: 300 }),
      actions: [{ type: 'StopPod', podName: 's-1', graceSeconds: 1, why: 'immediate pause requested' }],
      phase: 'Pausing',
    },
    { name: 'Paused once no pod runs', pauseMode: 'Graceful', actions: [], phase: 'Paused' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = runPhase(
        planPause,
        observe({
          storyRun: storyRun({ paused: true, pauseMode: c.pauseMode }),
          sessions: [session()],
          pods: c.pod ? [c.pod] : [],
        }),
        policy,
      );
      assert.deepEqual(
        plan.actions.filter((a) => a.type === 'StopPod'),
        c.actions,
      );
      assert.equal(plan.status.phase, c.phase);
      if (c.phase === 'Paused') assert.equal(plan.reasons.paused, 'PausedByUser');
    });
  }
});

describe('lifecycle: a hold from the queue or budget', () => {
  const hold = { reason: 'ScheduleClosed', message: 'the schedule of WorkQueue nightly closed' };

  it('stops a running pod gracefully, whatever spec.pauseMode says, without spec.paused', () => {
    const plan = runPhase(
      planPause,
      observe({ storyRun: storyRun({ pauseMode: 'Immediate' }), sessions: [session()], pods: [pod()], holds: [hold] }),
    );
    assert.deepEqual(
      plan.actions.filter((a) => a.type === 'StopPod'),
      [{ type: 'StopPod', podName: 's-1', graceSeconds: 300, why: 'held: ScheduleClosed' }],
    );
    assert.equal(plan.status.phase, 'Pausing');
  });

  it('is Paused with the hold as its reason once the pod is gone', () => {
    const plan = runPhase(planPause, observe({ sessions: [session()], holds: [hold] }));
    assert.equal(plan.status.phase, 'Paused');
    assert.equal(plan.reasons.paused, 'ScheduleClosed');
    assert.deepEqual(
      plan.transitions.map((t) => t.reason),
      ['ScheduleClosed'],
    );
    assert.match(plan.status.message!, /resumes by itself/);
  });

  it("the user's own pause wins the reason while both hold it", () => {
    const plan = runPhase(planPause, observe({ storyRun: storyRun({ paused: true }), holds: [hold] }));
    assert.equal(plan.reasons.paused, 'PausedByUser');
  });
});
