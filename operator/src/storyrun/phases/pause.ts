// A pause (spec.paused): stop the pod — gracefully, so the step in flight
// finishes and checkpoints, or at once — and stay Paused until spec.paused is
// false again.
import type { PlanDraft } from '../plan-draft.ts';

export function planPause(d: PlanDraft): void {
  const { spec, current, previous, policy } = d;
  if (current) {
    const grace = spec.pauseMode === 'Immediate' ? policy.immediateStopSeconds : policy.gracefulStopSeconds;
    d.stopCurrent(grace, `${spec.pauseMode.toLowerCase()} pause requested`);
    if (previous.phase !== 'Pausing') d.transition('Pausing', `${spec.pauseMode} pause requested`);
    d.next(
      'Pausing',
      spec.pauseMode === 'Graceful' ? 'Pausing: letting the current step finish' : 'Pausing: stopping the pod now',
    );
    return;
  }
  if (previous.phase !== 'Paused') d.transition('Paused', 'Paused by spec.paused');
  d.reasons.paused = 'PausedByUser';
  d.next('Paused', 'Paused; set spec.paused to false to resume');
}
