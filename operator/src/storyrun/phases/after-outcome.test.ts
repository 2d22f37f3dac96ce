import assert from 'node:assert/strict';
import { decision, ended, later, observe, pod, reasons, runPhase, storyRun, types } from '../plan-fixtures.ts';
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

  it("resumes a story paused by a Budget's day by itself once the Budget has room, and looks again at the boundary", () => {
    const byBudget = ended({
      outcome: 'Paused',
      detail: {
        reason: 'BudgetExceeded',
        message: "refused a call: does not fit Budget ns/team's daily limit",
        scope: 'daily',
        budget: 'ns/team',
        neededUSD: 0.02,
      },
    });
    const midnight = later(12 * 3600);
    const full = runPhase(
      planAfterOutcome,
      observe({
        sessions: [byBudget],
        budget: { room: { open: false, message: 'Budget ns/team has $0.01 left today', reopensAt: midnight } },
      }),
    );
    assert.deepEqual(types(full), []);
    assert.equal(full.status.phase, 'Paused');
    assert.equal(full.reasons.paused, 'BudgetExceeded');
    assert.match(full.status.message!, /resumes by itself at 2026-11-26T00:00:00.000Z/);
    assert.equal(full.requeueAfterMs, 12 * 3600 * 1000 + 5, 'looks again exactly at the new day');
    assert.deepEqual(reasons(full), ['BudgetExceeded']);
    const raisedCap = runPhase(
      planAfterOutcome,
      observe({
        storyRun: storyRun({ maxCostUSD: 100 }),
        sessions: [byBudget],
        budget: { room: { open: false, message: 'x' } },
      }),
    );
    assert.deepEqual(types(raisedCap), [], 'a higher story cap does not help against a Budget');

    const room = runPhase(
      planAfterOutcome,
      observe({ sessions: [byBudget], budget: { room: { open: true, message: 'Budget ns/team has room again' } } }),
    );
    assert.deepEqual(types(room), ['StartAttempt']);
    assert.equal(room.status.phase, 'Running');
    assert.deepEqual(reasons(room), ['Resumed']);
  });

  it('shows the cost estimate the observation carries', () => {
    const plan = runPhase(
      planAfterOutcome,
      observe({ sessions: [], budget: { estimate: { p50USD: 0.4, p90USD: 1.2 } } }),
    );
    assert.deepEqual([plan.status.estimateUSD, plan.status.estimateP90USD], [0.4, 1.2]);
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
