import assert from 'node:assert/strict';
import { observe, reasons, runPhase, storyRun, types } from '../plan-fixtures.ts';
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
