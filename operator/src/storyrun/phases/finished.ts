// A finished story (Succeeded, Failed, Aborted): only clean-up remains. A pod
// still exiting after its runner recorded the outcome is left to exit by
// itself; finished pods stay for podRetentionSeconds (kubectl logs) and the
// volume for volumeRetentionSeconds, counted from completion.
import { isLive } from '../attempt-end.ts';
import type { PlanDraft } from '../plan-draft.ts';

/** How long a pod of a finished story may take to exit by itself before it is stopped. */
export const FINISHED_POD_EXIT_SECONDS = 30;

export function planFinished(d: PlanDraft): void {
  const { previous, policy, now } = d;
  d.reasons.complete =
    previous.conditions?.find((c) => c.type === 'Complete' && c.status === 'True')?.reason ?? previous.phase;
  const completedAt = new Date(previous.completedAt ?? now);
  const age = (now.getTime() - completedAt.getTime()) / 1000;
  for (const pod of d.o.pods) {
    if (isLive(pod)) {
      if (pod.terminating) continue;
      if (age >= FINISHED_POD_EXIT_SECONDS) {
        d.actions.push({
          type: 'StopPod',
          podName: pod.name,
          graceSeconds: policy.abortStopSeconds,
          why: 'story finished',
        });
      } else d.requeueIn((FINISHED_POD_EXIT_SECONDS - age) * 1000);
    } else if (age >= policy.podRetentionSeconds) d.actions.push({ type: 'DeletePod', podName: pod.name });
    else d.requeueIn((policy.podRetentionSeconds - age) * 1000);
  }
  if (d.o.volume && !d.o.volume.terminating && !d.o.pods.some(isLive)) {
    if (age >= policy.volumeRetentionSeconds) d.actions.push({ type: 'DeleteVolume' });
    else d.requeueIn((policy.volumeRetentionSeconds - age) * 1000);
  }
}
