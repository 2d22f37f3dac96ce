import assert from 'node:assert/strict';
import { decision, ended, later, observe, pod, runPhase, storyRun, types } from '../plan-fixtures.ts';
import { planAfterOutcome } from './after-outcome.ts';

describe('lifecycle: after an outcome', () => {
  it("carries the runner's failure reason into the Complete condition", () => {
    const failed = ended({
      outcome: 'Failed',
      detail: { reason: 'VerificationFailed', message: 'npm test failed 3 times' },
    });
    const plan = runPhase(planAfterOutcome, observe({ sessions: [failed] }));
    assert.equal(plan.status.phase, 'Failed');
    assert.equal(plan.reasons.complete, 'VerificationFailed');
    assert.equal(plan.status.message, 'npm test failed 3 times');
  });

  it('resumes from the checkpoint after a stop', () => {
    const stopped = ended({ outcome: 'Paused', detail: { reason: 'Stopped', message: 'SIGTERM' } });
    const plan = runPhase(planAfterOutcome, observe({ sessions: [stopped] }));
    assert.deepEqual(plan.actions, [{ type: 'StartAttempt', attempt: 2, mode: 'run' }]);
    assert.equal(plan.transitions[0]?.reason, 'Resumed');
  });

  it('stays Paused on BudgetExceeded until the cap is raised; without a cap a retry would only repeat it', () => {
    const over = (maxCostUSD: number | null) =>
      ended(
        { outcome: 'Paused', detail: { reason: 'BudgetExceeded', message: 'next call would pass $1' } },
        { maxCostUSD },
      );
    const held = runPhase(planAfterOutcome, observe({ storyRun: storyRun({ maxCostUSD: 1 }), sessions: [over(1)] }));
    assert.equal(held.status.phase, 'Paused');
    assert.equal(held.reasons.paused, 'BudgetExceeded');
    assert.match(held.status.message!, /raise spec.maxCostUSD/);
    const raised = runPhase(planAfterOutcome, observe({ storyRun: storyRun({ maxCostUSD: 2 }), sessions: [over(1)] }));
    assert.deepEqual(types(raised), ['StartAttempt']);
    assert.deepEqual(types(runPhase(planAfterOutcome, observe({ sessions: [over(null)] }))), []);
  });

  it('waits for the decision, and only the decision the attempt asked', () => {
    const waiting = ended({ outcome: 'WaitingForHuman', detail: { decisionId: 'd1' } });
    const plan = runPhase(planAfterOutcome, observe({ sessions: [waiting], decision: decision() }));
    assert.equal(plan.status.pendingDecision?.id, 'd1');
    assert.equal(plan.status.pendingDecision?.askedAt, decision().askedAt.toISOString());
    const other = runPhase(planAfterOutcome, observe({ sessions: [waiting], decision: decision({ id: 'd2' }) }));
    assert.equal(other.status.pendingDecision, undefined);
    assert.equal(other.status.phase, 'WaitingForHuman');
  });

  it('an answered decision resumes without answering it twice', () => {
    const waiting = ended({ outcome: 'WaitingForHuman', detail: { decisionId: 'd1' } });
    const plan = runPhase(
      planAfterOutcome,
      observe({
        storyRun: storyRun({ decisions: [{ id: 'd1', choice: 'b' }] }),
        sessions: [waiting],
        decision: decision({ answeredAt: later(-5), choice: 'b' }),
      }),
    );
    assert.deepEqual(types(plan), ['StartAttempt']);
  });

  it('waits out the backoff after a crash, saying why and when', () => {
    const crash = ended({
      outcome: 'Crashed',
      detail: { reason: 'Error', message: "fatal: repository 'x' not found" },
    });
    const plan = runPhase(planAfterOutcome, observe({ sessions: [crash], pods: [pod({ phase: 'Failed' })] }));
    assert.deepEqual(types(plan), []);
    assert.equal(plan.requeueAfterMs, 10_000);
    assert.match(plan.status.message!, /retry 1 of 2 at .*: fatal: repository 'x' not found/);
    assert.ok(plan.status.retryAfter);
  });
});
