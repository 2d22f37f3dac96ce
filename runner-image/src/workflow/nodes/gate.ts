// gate: confidence from the evidence (confidence.ts). At or above
// spec.confidenceThreshold the story goes on to delivery; below it a human
// decides (ConfidenceGate): approve delivers anyway, retry goes back to
// implement with the comment as feedback, abort ends the story as Failed.
// As in ask, nothing before interrupt() has a side effect that could repeat,
// except the keyed GateResult event.
import { interrupt } from '@langchain/langgraph';
import { assessConfidence } from '../confidence.ts';
import type { WorkflowDeps } from '../deps.ts';
import { gateChoice, gateDecision } from '../decisions.ts';
import type { State, Update } from '../state.ts';
import type { HumanAnswer } from './ask.ts';

export function gateStep(deps: WorkflowDeps) {
  return async (state: State, visit: number): Promise<Update> => {
    const threshold = deps.spec.confidenceThreshold;
    const verify = state.verification!;
    const assessment = assessConfidence({
      verify: { configured: verify.configured, passed: verify.passed, attempts: verify.attempt },
      review: state.reviewResult?.verdict ?? 'none',
      selfAssessment: state.implementation?.selfAssessment,
    });
    const passed = assessment.confidence >= threshold;
    await deps.events.record({
      type: 'GateResult',
      step: 'gate',
      message: `confidence ${assessment.confidence.toFixed(3)} ${passed ? '>=' : '<'} threshold ${threshold}`,
      data: { ...assessment, threshold, passed, gate: visit, round: state.round },
      key: `gate:${visit}`,
    });
    const record = { round: state.round, confidence: assessment.confidence, threshold, factors: assessment.factors };
    if (passed) return { gateResult: { ...record, choice: 'pass', comment: null } };

    const decision = gateDecision(deps.story, visit, {
      round: state.round,
      threshold,
      assessment,
      implementation: state.implementation?.summary ?? '',
      verify: { ...verify },
      review: state.reviewResult ?? { verdict: 'none', summary: '' },
      diffstat: (await deps.worktree.summary()).stat,
    });
    const answer = interrupt<typeof decision, HumanAnswer>(decision);
    const choice = gateChoice(answer.choice);
    const gateResult = { ...record, choice, comment: answer.comment };
    const gateAnswers = [
      ...state.gateAnswers,
      { decisionId: decision.id, question: decision.question, choice: answer.choice, comment: answer.comment },
    ];
    if (choice === 'approve') return { gateResult, gateAnswers };
    if (choice === 'abort') {
      return {
        gateResult,
        gateAnswers,
        result: {
          outcome: 'Failed',
          reason: 'AbortedAtGate',
          message: `a human chose abort at the confidence gate${answer.comment ? `: ${answer.comment}` : ''}`,
        },
      };
    }
    return {
      gateResult,
      gateAnswers,
      verifyAttempts: 0,
      feedback: `A human reviewed the change at the confidence gate and asked for another round${
        answer.comment ? `: ${answer.comment}` : '.'
      }${answer.choice.trim().toLowerCase() !== 'retry' ? ` (their answer: ${answer.choice})` : ''}`,
    };
  };
}
