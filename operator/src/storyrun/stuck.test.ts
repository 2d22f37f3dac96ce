import assert from 'node:assert/strict';
import { NOW, later, pod } from './plan-fixtures.ts';
import { isStuck } from './stuck.ts';

describe('isStuck', () => {
  const created = new Date(NOW.getTime() - 100_000);
  const cases: {
    name: string;
    pod: ReturnType<typeof pod> | undefined;
    now?: Date;
    stuck: boolean;
    timedOut?: boolean;
  }[] = [
    { name: 'no pod', pod: undefined, stuck: false },
    { name: 'a running pod', pod: pod(), stuck: false },
    {
      name: 'creating containers (slow, not stuck)',
      pod: pod({ phase: 'Pending', reason: 'ContainerCreating', createdAt: created }),
      stuck: false,
    },
    {
      name: 'a missing Secret',
      pod: pod({ phase: 'Pending', reason: 'CreateContainerConfigError', createdAt: created }),
      stuck: true,
      timedOut: false,
    },
    {
      name: 'an image that cannot be pulled',
      pod: pod({ phase: 'Pending', reason: 'ImagePullBackOff', createdAt: created }),
      stuck: true,
      timedOut: false,
    },
    {
      name: 'stuck past the timeout',
      pod: pod({ phase: 'Pending', reason: 'ErrImageNeverPull', createdAt: created }),
      now: later(200),
      stuck: true,
      timedOut: true,
    },
    {
      name: 'a pod already being deleted',
      pod: pod({ phase: 'Pending', reason: 'ErrImagePull', terminating: true }),
      stuck: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const verdict = isStuck(c.pod, c.now ?? NOW, 300);
      assert.equal(verdict !== undefined, c.stuck);
      if (verdict && c.timedOut !== undefined) assert.equal(verdict.timedOut, c.timedOut);
    });
  }

  it('fails at creation + timeout', () => {
    const verdict = isStuck(pod({ phase: 'Pending', reason: 'InvalidImageName', createdAt: created }), NOW, 300);
    assert.equal(verdict?.failsAt.toISOString(), new Date(created.getTime() + 300_000).toISOString());
    assert.equal(verdict?.pendingSeconds, 100);
  });
});
