// The StoryRun lifecycle as one pure function: from what is observed, the
// status the StoryRun should have and the next changes to make. The
// reconciler applies them; everything here is unit-tested without a cluster.
// planStoryRun picks the phase; each phase decides in its own module.
import { isTerminalPhase } from '@nightshift/crds';
import type { StoryRunObservation } from './observation.ts';
import { PlanDraft, type LifecyclePolicy, type Plan } from './plan-draft.ts';
import { planAbort } from './phases/abort.ts';
import { planAfterOutcome } from './phases/after-outcome.ts';
import { planFinished } from './phases/finished.ts';
import { planInFlight } from './phases/in-flight.ts';
import { planNotStarted } from './phases/not-started.ts';
import { planPause } from './phases/pause.ts';

export type { Action, LifecyclePolicy, Plan, PlanReasons, Transition } from './plan-draft.ts';
export { isLive } from './attempt-end.ts';
export { retryAt, retryDelaySeconds } from './retry.ts';
export { isStuck } from './stuck.ts';

export function planStoryRun(o: StoryRunObservation, policy: LifecyclePolicy): Plan {
  const d = new PlanDraft(o, policy);
  if (isTerminalPhase(d.previous.phase)) planFinished(d);
  else if (d.spec.abort.requested) planAbort(d);
  else if (d.spec.paused || d.hold) planPause(d);
  else if (d.attempt === 0) planNotStarted(d);
  else if (d.latest && !d.latest.endedAt) planInFlight(d);
  else planAfterOutcome(d);
  return d.plan();
}
