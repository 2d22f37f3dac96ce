// The Conditions a StoryRun shows, derived from its phase. Each is a stable
// type a script can wait on (kubectl wait --for=condition=Complete).
import { isTerminalPhase, type Condition, type StoryRunStatus } from '@nightshift/crds';
import { setCondition, type ConditionUpdate } from '../kube/index.ts';
import type { PlanReasons } from './plan.ts';

export function storyRunConditions(
  status: StoryRunStatus,
  reasons: PlanReasons,
  admissionReason: string,
): ConditionUpdate[] {
  const phase = status.phase ?? 'Queued';
  const message = status.message ?? '';
  const terminal = isTerminalPhase(phase);
  const paused = phase === 'Paused' || phase === 'Pausing';
  const waiting = phase === 'WaitingForHuman';
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
      status: paused ? 'True' : 'False',
      reason: paused ? (phase === 'Pausing' ? 'Pausing' : (reasons.paused ?? 'PausedByUser')) : 'NotPaused',
      message: paused ? message : '',
    },
    {
      type: 'WaitingForHuman',
      status: waiting ? 'True' : 'False',
      reason: waiting ? (status.pendingDecision?.kind ?? 'Decision') : 'NoPendingDecision',
      message: waiting ? (status.pendingDecision?.question ?? message) : '',
    },
    reasons.slow
      ? { type: 'Slow', status: 'True', reason: 'NoStepProgress', message: reasons.slow }
      : { type: 'Slow', status: 'False', reason: 'Progressing', message: '' },
    reasons.stalled
      ? { type: 'Stalled', status: 'True', reason: reasons.stalled.reason, message: reasons.stalled.message }
      : { type: 'Stalled', status: 'False', reason: 'NotStalled', message: '' },
    {
      type: 'Complete',
      status: terminal ? 'True' : 'False',
      reason: terminal ? (reasons.complete ?? phase) : 'InProgress',
      message: terminal ? message : '',
    },
  ];
}

/** Applies the updates in order, keeping lastTransitionTime where a status did not change. */
export function mergeConditions(
  previous: Condition[] | undefined,
  updates: ConditionUpdate[],
  observedGeneration: number | undefined,
  now: Date,
): Condition[] {
  let conditions = previous ?? [];
  for (const update of updates) {
    conditions = setCondition(
      conditions,
      { ...update, ...(observedGeneration !== undefined ? { observedGeneration } : {}) },
      now,
    );
  }
  return conditions;
}
