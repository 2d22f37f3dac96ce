// A pause (spec.paused, or a hold its queue or budget placed): stop the pod —
// gracefully, so the step in flight finishes and checkpoints, or at once —
// and stay Paused until spec.paused is false again and every hold is lifted.
// A hold always pauses gracefully and names its reason (ScheduleClosed, ...).
import type { PlanDraft } from '../plan-draft.ts';

export function planPause(d: PlanDraft): void {
  const { spec, current, previous, policy, hold } = d;
  const byUser = spec.paused;
  const mode = byUser ? spec.pauseMode : 'Graceful';
  const why = byUser ? `${mode} pause requested` : `${hold!.reason}: ${hold!.message}`;
  if (current) {
    const grace = mode === 'Immediate' ? policy.immediateStopSeconds : policy.gracefulStopSeconds;
    d.stopCurrent(grace, byUser ? `${mode.toLowerCase()} pause requested` : `held: ${hold!.reason}`);
    if (previous.phase !== 'Pausing') d.transition('Pausing', why);
    d.next(
      'Pausing',
      mode === 'Graceful'
        ? `Pausing: letting the current step finish${byUser ? '' : ` (${hold!.reason})`}`
        : 'Pausing: stopping the pod now',
    );
    return;
  }
  if (byUser) {
    if (previous.phase !== 'Paused') d.transition('Paused', 'Paused by spec.paused');
    d.reasons.paused = 'PausedByUser';
    d.next('Paused', 'Paused; set spec.paused to false to resume');
    return;
  }
  if (previous.phase !== 'Paused') d.transition(hold!.reason, `Paused: ${hold!.message}`);
  d.reasons.paused = hold!.reason;
  d.next('Paused', `Paused (${hold!.reason}): ${hold!.message}; resumes by itself once lifted`);
}
