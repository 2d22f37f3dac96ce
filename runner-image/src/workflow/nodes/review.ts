// review: the agent reviews the change against the story and the test results.
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function reviewStep(deps: WorkflowDeps) {
  return async (state: State, visit: number): Promise<Update> => {
    const change = await deps.worktree.summary();
    const reviewResult = await deps.agent.review({
      round: state.round,
      plan: state.planText,
      implementation: state.implementation?.summary ?? '',
      change,
      verify: state.verification!,
    });
    await deps.events.record({
      type: 'ReviewResult',
      step: 'review',
      message: `${reviewResult.verdict}: ${reviewResult.summary}`.slice(0, 500),
      data: { ...reviewResult, round: state.round },
      key: `review:${visit}`,
    });
    return { reviewResult };
  };
}
