// A story with no attempt yet: admission decides (queue, budget and schedule
// plug in there); once admitted, the first attempt starts.
import { waitingForPod, type PlanDraft } from '../plan-draft.ts';

export function planNotStarted(d: PlanDraft): void {
  const { admission } = d.o;
  if (!admission.admitted) {
    if (d.previous.phase !== 'Queued') d.transition('Queued', admission.message);
    d.next('Queued', admission.message);
    if (admission.position !== undefined) d.status.queuePosition = admission.position;
    return;
  }
  d.transition('Admitted', `${admission.message}; starting the story pod`);
  d.startAttempt('run', 'admitted', { event: false }); // the Admitted Event says it
  d.next('Admitted', waitingForPod(d.status.podName!));
}
