// The latest attempt ended: act on its outcome. Succeeded and Failed finish
// the story; WaitingForHuman shows the question until spec.decisions answers
// it; Paused resumes (a stop), waits for a higher cap (BudgetExceeded by the
// story's cap) or for its Budget to have room again (BudgetExceeded by a
// Budget's day or week: a new period, a raised limit, a confirmed
// extension); Crashed retries with backoff up to spec.backoffLimit.
import type { PendingDecision } from '@nightshift/crds';
import type { OutcomeOf } from '@nightshift/crds/contract';
import type { DecisionRecord } from '../../records/decisions.ts';
import type { ExecutionSession } from '../../records/sessions.ts';
import type { PlanDraft } from '../plan-draft.ts';
import { retryAt } from '../retry.ts';

export function planAfterOutcome(d: PlanDraft): void {
  const latest = d.latest;
  const result = latest?.result;
  if (!latest || !result) {
    // A salvage without an abort cannot happen (abort cannot be withdrawn); resume.
    d.startAttempt('run', 'resuming');
    d.next('Running', 'Resuming');
    return;
  }
  switch (result.outcome) {
    case 'Succeeded': {
      const { pullRequest, confidence } = result.detail;
      d.status.pullRequest = { url: pullRequest.url, number: pullRequest.number };
      d.status.confidence = confidence;
      d.finish('Succeeded', `Draft pull request ${pullRequest.url}`);
      return;
    }
    case 'Failed':
      d.finish('Failed', result.detail.message || result.detail.reason, {
        warning: true,
        reason: result.detail.reason,
      });
      return;
    case 'WaitingForHuman':
      return waitingForHuman(d, result.detail.decisionId);
    case 'Paused':
      return paused(d, latest, result);
    case 'Crashed':
      return crashed(d, latest, result);
    case 'Salvaged':
      d.startAttempt('run', 'resuming');
      d.next('Running', 'Resuming');
  }
}

function waitingForHuman(d: PlanDraft, decisionId: string): void {
  const decision = d.o.decision?.id === decisionId ? d.o.decision : undefined;
  const answer = decision && d.spec.decisions.find((a) => a.id === decision.id);
  if (decision && answer) {
    if (!decision.answeredAt) {
      d.actions.push({
        type: 'AnswerDecision',
        decisionId: decision.id,
        choice: answer.choice,
        comment: answer.comment,
      });
      d.transition('DecisionAnswered', `${decision.id}: ${answer.choice}`);
    }
    d.startAttempt('run', `resuming with the answer to ${decision.id}`);
    d.next('Running', `Resuming with the answer to ${decision.id}`);
    return;
  }
  if (decision) d.status.pendingDecision = pendingDecisionOf(decision);
  if (d.previous.phase !== 'WaitingForHuman') {
    d.transition('WaitingForHuman', decision?.question ?? 'waiting for a human decision');
  }
  d.next('WaitingForHuman', decision ? `Waiting for a decision: ${decision.question}` : 'Waiting for a human decision');
}

function paused(d: PlanDraft, latest: ExecutionSession, result: OutcomeOf<'Paused'>): void {
  if (result.detail.reason !== 'BudgetExceeded') {
    d.startAttempt('run', 'resuming from the last checkpoint');
    d.next('Running', 'Resuming from the last checkpoint');
    return;
  }
  if (result.detail.scope === 'daily' || result.detail.scope === 'weekly') return pausedByBudget(d, result);
  // Only a higher cap than the attempt ran with helps; without a cap the
  // refusal was something else (an unpriced model), which a retry repeats.
  const cap = d.spec.maxCostUSD;
  const raised = latest.maxCostUSD !== null && (cap === undefined || cap > latest.maxCostUSD);
  if (raised) {
    d.startAttempt('run', `cost cap raised to ${cap ?? 'unlimited'}`);
    d.next('Running', 'Resuming after the cost cap was raised');
    return;
  }
  const message = result.detail.message || 'The cost cap would be exceeded';
  if (d.previous.phase !== 'Paused') d.transition('BudgetExceeded', message, true);
  d.reasons.paused = 'BudgetExceeded';
  d.next('Paused', `${message}; raise spec.maxCostUSD to resume`);
}

/** Resumes by itself once every Budget it drew on has room for the call it was refused. */
function pausedByBudget(d: PlanDraft, result: OutcomeOf<'Paused'>): void {
  const room = d.o.budget?.room;
  if (room?.open) {
    d.startAttempt('run', room.message);
    d.next('Running', `Resuming: ${room.message}`);
    return;
  }
  const message = result.detail.message || `Budget ${result.detail.budget ?? ''} has no room`;
  if (d.previous.phase !== 'Paused') d.transition('BudgetExceeded', message, true);
  d.reasons.paused = 'BudgetExceeded';
  d.next(
    'Paused',
    room?.reopensAt
      ? `${room.message}; resumes by itself at ${room.reopensAt.toISOString()} or once the limit is raised`
      : message,
  );
  // Exactly at the boundary (the reconcile then reads the new period's window).
  if (room?.reopensAt) d.requeueIn(room.reopensAt.getTime() - d.now.getTime() + 5);
}

function crashed(d: PlanDraft, latest: ExecutionSession, result: OutcomeOf<'Crashed'>): void {
  const { failures, spec, now, policy } = d;
  const { message, reason } = result.detail;
  if (failures > spec.backoffLimit) {
    d.finish('Failed', `BackoffLimitExceeded: ${failures} failed pods (last: ${message})`, {
      warning: true,
      reason: 'BackoffLimitExceeded',
    });
    return;
  }
  const at = retryAt(latest.endedAt ?? now, failures, policy);
  if (at <= now) {
    d.startAttempt('run', `retry ${failures} of ${spec.backoffLimit} after: ${message}`);
    d.next('Running', `Retrying (${failures} of ${spec.backoffLimit}) from the last checkpoint`);
    return;
  }
  d.status.retryAfter = at.toISOString();
  if (d.actions.some((a) => a.type === 'RecordEnd' && a.end.outcome === 'Crashed')) {
    d.transition('PodFailed', message, true);
  }
  d.next(
    'Running',
    `Pod failed (${reason}); retry ${failures} of ${spec.backoffLimit} at ${at.toISOString()}: ${message}`,
  );
  d.requeueIn(at.getTime() - now.getTime());
}

function pendingDecisionOf(decision: DecisionRecord): PendingDecision {
  return {
    id: decision.id,
    kind: decision.kind,
    ...(decision.step ? { step: decision.step } : {}),
    question: decision.question,
    context:
      decision.context.length > 8000
        ? `${decision.context.slice(0, 8000)}\n… (full context in decision_queue)`
        : decision.context,
    options: decision.options,
    ...(decision.recommendation ? { recommendation: decision.recommendation } : {}),
    askedAt: decision.askedAt.toISOString(),
  };
}
