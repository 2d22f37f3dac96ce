// plan: the agent's plan for the story (a model call for model backends).
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function planStep(deps: WorkflowDeps) {
  return async (_state: State): Promise<Update> => ({ planText: await deps.agent.plan() });
}
