// implement: the agent changes the worktree, or stops to ask a human first.
// The round counts only once the agent got through it without a question.
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function implementStep(deps: WorkflowDeps) {
  return async (state: State): Promise<Update> => {
    const round = state.round + 1;
    const result = await deps.agent.implement({
      round,
      plan: state.planText,
      answers: state.answers,
      feedback: state.feedback,
    });
    if (result.question) return { question: result.question };
    return {
      round,
      question: null,
      implementation: { summary: result.summary, selfAssessment: result.selfAssessment },
    };
  };
}
