// An attempt in flight: mirror its pod (Running, or Admitted while it starts).
// A pod that cannot start for a reason a person must fix (a missing Secret, an
// unpullable image) is neither a crash nor Running: the story says what is
// missing at once (the Stalled condition and a Warning Event), starts as soon
// as it is fixed, and fails once when the pending timeout passes.
import { waitingForPod, type PlanDraft } from '../plan-draft.ts';
import { slowOrStuck } from '../../health/progress.ts';
import { isStuck } from '../stuck.ts';

export function planInFlight(d: PlanDraft): void {
  const { latest, current, previous, policy, now } = d;
  if (!latest) return;
  if (!latest.podUid) {
    // The record exists but the pod was never made or never recorded (a crash
    // between the writes): starting the attempt again creates or adopts it.
    d.actions.push({ type: 'StartAttempt', attempt: latest.attempt, mode: latest.mode });
  }

  const stuck = isStuck(current, now, policy.pendingTimeoutSeconds);
  if (current && stuck) {
    const what = `pod ${current.name} cannot start: ${stuck.message}`;
    d.reasons.stalled = { reason: stuck.reason, message: stuck.message };
    d.transition('PodStalled', `${what} (${stuck.reason})`, true);
    if (stuck.timedOut) {
      const message = `${what} (${stuck.reason} for ${Math.round(stuck.pendingSeconds)} s, runner.pendingTimeoutSeconds)`;
      d.actions.push({ type: 'StopPod', podName: current.name, graceSeconds: 0, why: stuck.reason });
      d.actions.push({
        type: 'RecordEnd',
        sessionId: latest.id,
        attempt: latest.attempt,
        podName: latest.podName,
        podUid: latest.podUid,
        end: { outcome: 'Crashed', detail: { reason: stuck.reason, message } },
      });
      d.finish('Failed', message, { warning: true, reason: stuck.reason });
      return;
    }
    d.next('Admitted', `Waiting for pod ${current.name}: ${stuck.message}`);
    d.requeueIn(stuck.failsAt.getTime() - now.getTime());
    return;
  }

  if (current?.phase === 'Running') {
    if (previous.phase !== 'Running') d.transition('Running', `pod ${current.name} is running`);
    if (policy.slowAfterSeconds !== undefined) {
      // Only shown here; restarting a stuck runner is the health monitor's job.
      const progress = slowOrStuck(latest, now, {
        slowAfterSeconds: policy.slowAfterSeconds,
        stuckAfterSeconds: Infinity,
      });
      if (progress.verdict === 'Slow') d.reasons.slow = progress.message;
    }
    d.next('Running', latest.step ? `Working on ${latest.step}` : 'Running');
    return;
  }
  d.next(
    previous.phase === 'Running' ? 'Running' : 'Admitted',
    current?.reason
      ? `Pod pending: ${current.reason}${current.message ? ` (${current.message})` : ''}`
      : waitingForPod(current?.name ?? latest.podName),
  );
}
