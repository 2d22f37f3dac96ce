// Slow or stuck: what a story's running attempt looks like to the health
// monitor. Stuck: its runner has not heartbeat for stuckAfterSeconds (the
// process hangs or is gone while its pod looks alive) — the pod is restarted
// from its checkpoint. Slow: the heartbeat is fresh, but the step has not
// changed for slowAfterSeconds — the runner is alive and working, so it is
// only reported. A pod that never started is not judged here (the lifecycle's
// Stalled condition covers it). Pure.
import type { ExecutionSession } from '@nightshift/crds/contract';

export interface ProgressThresholds {
  stuckAfterSeconds: number;
  slowAfterSeconds: number;
}

export type Progress =
  | { verdict: 'NotRunning' }
  | { verdict: 'Healthy' }
  | { verdict: 'Slow'; step: string | null; stepSeconds: number; message: string }
  | { verdict: 'Stuck'; silentSeconds: number; message: string };

type Attempt = Pick<ExecutionSession, 'endedAt' | 'runnerStartedAt' | 'heartbeatAt' | 'step' | 'stepStartedAt'>;

export function slowOrStuck(attempt: Attempt, now: Date, thresholds: ProgressThresholds): Progress {
  if (attempt.endedAt || !attempt.runnerStartedAt) return { verdict: 'NotRunning' };
  const lastSign = latest(attempt.heartbeatAt, attempt.runnerStartedAt);
  const silentSeconds = seconds(now, lastSign);
  if (silentSeconds >= thresholds.stuckAfterSeconds) {
    return {
      verdict: 'Stuck',
      silentSeconds,
      message: `no heartbeat for ${Math.round(silentSeconds)} s (health.stuckAfterSeconds ${thresholds.stuckAfterSeconds})`,
    };
  }
  const stepSeconds = seconds(now, attempt.stepStartedAt ?? attempt.runnerStartedAt);
  if (stepSeconds >= thresholds.slowAfterSeconds) {
    return {
      verdict: 'Slow',
      step: attempt.step,
      stepSeconds,
      message: `step ${attempt.step ?? '(none yet)'} has run for ${Math.round(stepSeconds)} s with the runner alive (health.slowAfterSeconds ${thresholds.slowAfterSeconds})`,
    };
  }
  return { verdict: 'Healthy' };
}

const latest = (a: Date | null, b: Date) => (a && a > b ? a : b);
const seconds = (now: Date, since: Date) => Math.max(0, (now.getTime() - since.getTime()) / 1000);
