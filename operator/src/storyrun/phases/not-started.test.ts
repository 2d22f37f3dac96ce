import assert from 'node:assert/strict';
import { statusEqual } from '../../kube/index.ts';
import { planStoryRun } from '../plan.ts';
import { later, observe, pod, policy, reasons, runPhase, session, storyRun, types } from '../plan-fixtures.ts';
import { planNotStarted } from './not-started.ts';

describe('lifecycle: not started', () => {
  it('waits Queued with the admission message, recording the transition once', () => {
    const admission = { admitted: false, reason: 'WaitingForQueue', message: 'waiting for WorkQueue nightly' };
    const first = runPhase(planNotStarted, observe({ admission }));
    assert.equal(first.status.phase, 'Queued');
    assert.equal(first.status.message, 'waiting for WorkQueue nightly');
    assert.deepEqual(reasons(first), ['Queued']);
    const again = runPhase(planNotStarted, observe({ admission, storyRun: storyRun({}, { phase: 'Queued' }) }));
    assert.deepEqual(reasons(again), []);
  });

  it('once admitted, starts attempt 1 (and its volume when there is none)', () => {
    const plan = runPhase(planNotStarted, observe({ volume: undefined }));
    assert.deepEqual(types(plan), ['EnsureVolume', 'StartAttempt']);
    assert.equal(plan.status.attempt, 1);
    assert.deepEqual(reasons(plan), ['Admitted', 'Started']);
  });

  it('says everything at admission that stays true until the pod runs: one status write and one Event', () => {
    const admitted = runPhase(planNotStarted, observe({ volume: undefined }));
    assert.deepEqual(
      admitted.transitions.map((t) => [t.reason, t.event ?? true]),
      [
        ['Admitted', true],
        ['Started', false],
      ],
      'Started is recorded, not sent as a second Event',
    );
    assert.equal(admitted.status.podName, 's-1');
    assert.equal(admitted.status.workVolume, 's-worktree');
    // The next reconcile: the record, the pod (Pending, unscheduled) and the claim are in the cache now.
    const next = planStoryRun(
      observe({
        storyRun: storyRun({}, admitted.status),
        sessions: [session({ step: null, costUSD: 0, createdAt: later(1) })],
        pods: [pod({ phase: 'Pending' })],
        now: later(2),
      }),
      policy,
    );
    assert.deepEqual(next.actions, []);
    assert.ok(
      statusEqual(next.status, admitted.status),
      `${JSON.stringify(next.status)} vs ${JSON.stringify(admitted.status)}`,
    );
  });

  it('shows its place in the queue while Queued, and drops it once admitted', () => {
    const admission = { admitted: false, reason: 'WaitingForQueue', message: 'waiting at position 4', position: 4 };
    assert.equal(runPhase(planNotStarted, observe({ admission })).status.queuePosition, 4);
    const admitted = runPhase(
      planNotStarted,
      observe({ storyRun: storyRun({}, { phase: 'Queued', queuePosition: 4 }) }),
    );
    assert.equal(admitted.status.queuePosition, undefined);
  });
});
