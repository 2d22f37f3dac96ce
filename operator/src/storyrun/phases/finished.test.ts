import assert from 'node:assert/strict';
import { NOW, observe, pod, policy, runPhase, storyRun, types } from '../plan-fixtures.ts';
import { FINISHED_POD_EXIT_SECONDS, planFinished } from './finished.ts';

const completed = (secondsAgo: number) =>
  storyRun({}, { phase: 'Succeeded', completedAt: new Date(NOW.getTime() - secondsAgo * 1000).toISOString() });

describe('lifecycle: finished', () => {
  const cases: {
    name: string;
    secondsAgo: number;
    pods: ReturnType<typeof pod>[];
    volumeRetentionSeconds?: number;
    actions: string[];
    requeueAfterMs?: number;
  }[] = [
    {
      name: 'leaves a pod that is still exiting after its runner recorded the outcome (kubectl logs keep working)',
      secondsAgo: 1,
      pods: [pod({ phase: 'Running' })],
      actions: [],
      requeueAfterMs: (FINISHED_POD_EXIT_SECONDS - 1) * 1000,
    },
    {
      name: 'stops a pod that has not exited on its own',
      secondsAgo: FINISHED_POD_EXIT_SECONDS,
      pods: [pod({ phase: 'Running' })],
      actions: ['StopPod'],
    },
    {
      name: 'keeps a finished pod for podRetentionSeconds',
      secondsAgo: 30,
      pods: [pod({ phase: 'Succeeded' })],
      actions: [],
      requeueAfterMs: 30_000,
    },
    {
      name: 'deletes the finished pod once its retention passed',
      secondsAgo: 60,
      pods: [pod({ phase: 'Succeeded' })],
      actions: ['DeletePod'],
    },
    {
      name: 'deletes the volume once no pod runs',
      secondsAgo: 0,
      pods: [],
      actions: ['DeleteVolume'],
    },
    {
      name: 'keeps the volume for volumeRetentionSeconds',
      secondsAgo: 10,
      pods: [],
      volumeRetentionSeconds: 120,
      actions: [],
      requeueAfterMs: 110_000,
    },
    {
      name: 'never deletes the volume under a live pod',
      secondsAgo: 5,
      pods: [pod({ phase: 'Running', terminating: true })],
      actions: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = runPhase(planFinished, observe({ storyRun: completed(c.secondsAgo), pods: c.pods }), {
        ...policy,
        volumeRetentionSeconds: c.volumeRetentionSeconds ?? (c.pods.length > 0 ? 600 : 0),
      });
      assert.deepEqual(types(plan), c.actions);
      if (c.requeueAfterMs !== undefined) assert.equal(plan.requeueAfterMs, c.requeueAfterMs);
      assert.equal(plan.status.phase, 'Succeeded');
      assert.deepEqual(plan.transitions, [], 'a finished story records nothing new');
    });
  }
});
