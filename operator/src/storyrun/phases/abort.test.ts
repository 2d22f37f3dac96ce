import assert from 'node:assert/strict';
import { ended, observe, pod, runPhase, session, storyRun, types } from '../plan-fixtures.ts';
import { planAbort } from './abort.ts';

const stopped = ended({ outcome: 'Paused', detail: { reason: 'Stopped', message: 'SIGTERM' } });
const abort = (keepWork = false) => storyRun({ abort: { requested: true, keepWork } });

describe('lifecycle: abort', () => {
  it('stops the running pod first, with the abort grace period', () => {
    const plan = runPhase(planAbort, observe({ storyRun: abort(), sessions: [session()], pods: [pod()] }));
    assert.deepEqual(plan.actions, [{ type: 'StopPod', podName: 's-1', graceSeconds: 30, why: 'abort requested' }]);
    assert.notEqual(plan.status.phase, 'Aborted');
  });

  it('then discards the work: the volume goes, Aborted', () => {
    const plan = runPhase(planAbort, observe({ storyRun: abort(), sessions: [stopped] }));
    assert.deepEqual(types(plan), ['DeleteVolume']);
    assert.equal(plan.status.phase, 'Aborted');
    assert.equal(plan.reasons.complete, 'Aborted');
  });

  it('with keepWork, a salvage attempt pushes the branch before it finishes', () => {
    const plan = runPhase(planAbort, observe({ storyRun: abort(true), sessions: [stopped] }));
    assert.deepEqual(plan.actions, [{ type: 'StartAttempt', attempt: 2, mode: 'salvage' }]);
    const saving = session({ attempt: 2, id: 'sess-2', mode: 'salvage', podUid: 'pod-2' });
    const salvagePod = pod({ attempt: 2, mode: 'salvage', name: 's-salvage-2', uid: 'pod-2' });
    const waiting = runPhase(
      planAbort,
      observe({ storyRun: abort(true), sessions: [stopped, saving], pods: [salvagePod] }),
    );
    assert.deepEqual(waiting.actions, [], 'the salvage pod runs: wait for it');
    assert.match(waiting.status.message!, /saving the work in progress/);
    const saved = ended(
      { outcome: 'Salvaged', detail: { branch: 'nightshift/S-1', pushed: true } },
      { attempt: 2, id: 'sess-2', mode: 'salvage' },
    );
    const done = runPhase(planAbort, observe({ storyRun: abort(true), sessions: [stopped, saved] }));
    assert.equal(done.status.phase, 'Aborted');
    assert.match(done.status.message!, /kept on branch nightshift\/S-1/);
  });

  it('with keepWork, says so when saving failed', () => {
    const crashed = ended(
      { outcome: 'Crashed', detail: { reason: 'Error', message: 'push rejected' } },
      { attempt: 2, id: 'sess-2', mode: 'salvage' },
    );
    const done = runPhase(planAbort, observe({ storyRun: abort(true), sessions: [stopped, crashed] }));
    assert.equal(done.status.phase, 'Aborted');
    assert.match(done.status.message!, /saving the work in progress failed: push rejected/);
    assert.equal(done.transitions[0]?.warning, true);
  });

  it('before any work started, there is nothing to keep', () => {
    const plan = runPhase(planAbort, observe({ storyRun: abort(true), volume: undefined }));
    assert.equal(plan.status.phase, 'Aborted');
    assert.equal(plan.status.message, 'Aborted before any work started');
  });
});
