// The Conditions a WorkQueue shows, from what its reconcile observed and
// decided: Admitting (False with the reason nothing is admitted:
// MaxParallelReached, ScheduleClosed, DoNotDisturb, BudgetExceeded,
// QueuePaused), ScheduleOpen, and AutoPaused. Pure.
import type { WorkQueue } from '@nightshift/crds';
import type { ConditionUpdate } from '../kube/index.ts';
import type { AdmissionDecision } from './admit.ts';
import type { ScheduleState } from './schedule.ts';

export interface QueueObservation {
  queue: WorkQueue;
  decision: AdmissionDecision;
  schedule: ScheduleState;
  running: number;
  queued: number;
  admittedToday: number;
  costTodayUSD: number;
  /** Set while the queue is paused by spec.autoPause: why. */
  autoPaused: string | undefined;
}

export function queueConditions(o: QueueObservation): ConditionUpdate[] {
  const { decision, schedule } = o;
  const admitting = decision.state === 'Admitting' || decision.state === 'Idle';
  return [
    { type: 'Admitting', status: admitting ? 'True' : 'False', reason: decision.state, message: decision.message },
    {
      type: 'ScheduleOpen',
      status: schedule.open ? 'True' : 'False',
      reason: schedule.reason,
      message: schedule.message,
    },
    o.autoPaused
      ? { type: 'AutoPaused', status: 'True', reason: 'RepeatedFailures', message: o.autoPaused }
      : { type: 'AutoPaused', status: 'False', reason: 'NotAutoPaused', message: '' },
  ];
}
