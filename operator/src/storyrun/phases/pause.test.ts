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
