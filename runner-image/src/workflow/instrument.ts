// Wraps every workflow step: refuse to start one after SIGTERM (the step
// before it is finished and checkpointed), report the step on the session row,
// write StepStarted/StepFinished events, and count completions per node so a
// step re-run after a crash writes its keyed events once.
import { StopRequested } from '../errors.ts';
import type { WorkflowDeps } from './deps.ts';
import type { State, Update } from './state.ts';

export type StepBody = (state: State, visit: number) => Promise<Update>;

export function instrument(deps: WorkflowDeps, node: string, step: string, body: StepBody) {
  return async (state: State): Promise<Update> => {
    if (deps.stopRequested()) throw new StopRequested();
    const visit = (state.visits[node] ?? 0) + 1;
    await deps.session.setStep(step);
    await deps.events.record({
      type: 'StepStarted',
      step,
      message: node,
      data: { node, visit, attempt: deps.attempt },
    });
    deps.log.info({ node, step, visit }, 'step started');
    const started = Date.now();
    const update = await body(state, visit);
    deps.log.info({ node, step, visit, durationMs: Date.now() - started }, 'step finished');
    await deps.events.record({
      type: 'StepFinished',
      step,
      message: node,
      data: { node, visit, attempt: deps.attempt, durationMs: Date.now() - started },
      key: `step:${node}:${visit}`,
    });
    return { ...update, visits: { ...state.visits, [node]: visit } };
  };
}
