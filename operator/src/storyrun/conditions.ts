// The Conditions a StoryRun shows, derived from its phase. Each is a stable
// type a script can wait on (kubectl wait --for=condition=Complete).
import type { Condition, StoryRunStatus } from '@nightshift/crds';
import type { Plan } from './plan.ts';

export interface ConditionInput {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

export function storyRunConditions(
  status: StoryRunStatus,
  reasons: Plan['reasons'],
  admissionReason: string,
): ConditionInput[] {
  const phase = status.phase ?? 'Queued';
  const message = status.message ?? '';
  const terminal = phase === 'Succeeded' || phase === 'Failed' || phase === 'Aborted';
  const pausedReason = phase === 'Pausing' ? 'Pausing' : (reasons.paused ?? 'PausedByUser');
  const completeReason = reasons.complete ?? phase;
  return [
    phase === 'Queued'
      ? { type: 'Admitted', status: 'False', reason: admissionReason || 'Queued', message }
      : { type: 'Admitted', status: 'True', reason: 'Admitted', message: 'admitted to run' },
    {
      type: 'Running',
      status: phase === 'Running' ? 'True' : 'False',
      reason: phase,
      message: phase === 'Running' ? message : '',
    },
    {
      type: 'Paused',
      status: phase === 'Paused' || phase === 'Pausing' ? 'True' : 'False',
      reason: phase === 'Paused' || phase === 'Pausing' ? pausedReason : 'NotPaused',
      message: phase === 'Paused' || phase === 'Pausing' ? message : '',
    },
    {
      type: 'WaitingForHuman',
      status: phase === 'WaitingForHuman' ? 'True' : 'False',
      reason: phase === 'WaitingForHuman' ? (status.pendingDecision?.kind ?? 'Decision') : 'NoPendingDecision',
      message: phase === 'WaitingForHuman' ? (status.pendingDecision?.question ?? message) : '',
    },
    {
      type: 'Complete',
      status: terminal ? 'True' : 'False',
      reason: terminal ? completeReason : 'InProgress',
      message: terminal ? message : '',
    },
  ];
}

/** Sets conditions, keeping lastTransitionTime where the status did not change. */
export function mergeConditions(
  previous: Condition[] | undefined,
  next: ConditionInput[],
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  return next.map((c) => {
    const old = previous?.find((p) => p.type === c.type);
    return {
      ...c,
      lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : now.toISOString(),
      ...(observedGeneration !== undefined ? { observedGeneration } : {}),
    };
  });
}
