import assert from 'node:assert/strict';
import { NOW, later, observe, pod, runPhase, session, reasons, types } from '../plan-fixtures.ts';
import { planInFlight } from './in-flight.ts';

const missingSecret = (over: Parameters<typeof pod>[0] = {}) =>
  pod({
    phase: 'Pending',
    reason: 'CreateContainerConfigError',
    message: 'secret "gh" not found',
    createdAt: new Date(NOW.getTime() - 60_000),
    ...over,
  });

describe('lifecycle: in flight', () => {
  it('is Running while the pod runs, with the step in the message', () => {
    const plan = runPhase(planInFlight, observe({ sessions: [session()], pods: [pod()] }));
    assert.equal(plan.status.phase, 'Running');
    assert.equal(plan.status.message, 'Working on implement');
    assert.deepEqual(reasons(plan), ['Running']);
  });

  it('re-creates (or adopts) the pod of an attempt whose pod was never recorded', () => {
    const plan = runPhase(planInFlight, observe({ sessions: [session({ podUid: null })] }));
    assert.deepEqual(plan.actions, [{ type: 'StartAttempt', attempt: 1, mode: 'run' }]);
  });

  it('a pod that cannot start for a missing Secret is stalled, not Running and not a crash, and says which Secret', () => {
    const plan = runPhase(planInFlight, observe({ sessions: [session()], pods: [missingSecret()] }));
    assert.deepEqual(types(plan), [], 'nothing is stopped or recorded: it starts as soon as the Secret exists');
    assert.equal(plan.status.phase, 'Admitted');
    assert.match(plan.status.message!, /secret "gh" not found/);
    assert.deepEqual(plan.reasons.stalled, { reason: 'CreateContainerConfigError', message: 'secret "gh" not found' });
    assert.equal(plan.transitions[0]?.reason, 'PodStalled');
    assert.equal(plan.transitions[0]?.warning, true);
    assert.equal(plan.requeueAfterMs, 240_000, 'looked at again when the timeout passes');
    assert.equal(plan.status.failures, 0);
  });

  it('fails the story once — no retry — when the pod stayed stalled for the whole pending timeout', () => {
    const plan = runPhase(planInFlight, observe({ sessions: [session()], pods: [missingSecret()], now: later(240) }));
    assert.deepEqual(types(plan), ['StopPod', 'RecordEnd']);
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.reasons.complete, 'CreateContainerConfigError');
    assert.match(plan.status.message!, /secret "gh" not found/);
    const end = plan.actions[1];
    assert.ok(end?.type === 'RecordEnd');
    assert.equal(end.end.outcome, 'Crashed');
  });

  it('leaves a slow but healthy pending pod alone, however long it takes', () => {
    const creating = pod({
      phase: 'Pending',
      reason: 'ContainerCreating',
      createdAt: new Date(NOW.getTime() - 3_600_000),
    });
    const plan = runPhase(planInFlight, observe({ sessions: [session()], pods: [creating] }));
    assert.deepEqual(types(plan), []);
    assert.equal(plan.reasons.stalled, undefined);
    assert.match(plan.status.message!, /Pod pending: ContainerCreating/);
  });
});
