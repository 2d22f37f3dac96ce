// An abort: stop the pod, keep the work if asked (a salvage pod commits and
// pushes the branch), then finish Aborted. An abort cannot be withdrawn (CEL),
// so this phase only ever moves forward.
import type { PlanDraft } from '../plan-draft.ts';

export function planAbort(d: PlanDraft): void {
  const { spec, current, previous, policy, o, attempt } = d;
  if (current && current.mode === 'run') {
    d.stopCurrent(policy.abortStopSeconds, 'abort requested');
    d.next(previous.phase ?? 'Queued', 'Aborting: stopping the story pod');
    return;
  }
  if (spec.abort.keepWork && policy.persistentVolume && o.volume && attempt > 0) {
    const salvage = d.sessions.find((s) => s.mode === 'salvage');
    if (!salvage) {
      d.startAttempt('salvage', 'abort with keepWork: pushing the work in progress');
      d.next(previous.phase ?? 'Running', 'Aborting: saving the work in progress');
    } else if (!salvage.result) {
      d.next(previous.phase ?? 'Running', 'Aborting: saving the work in progress');
      d.requeueIn(30_000); // pod events wake us; this is only a safety net
    } else if (salvage.result.outcome === 'Salvaged') {
      d.finish('Aborted', `Aborted; work in progress kept on branch ${salvage.result.detail.branch}`);
    } else {
      const why = 'message' in salvage.result.detail ? salvage.result.detail.message : salvage.result.outcome;
      d.finish('Aborted', `Aborted; saving the work in progress failed: ${why}`, { warning: true });
    }
    return;
  }
  if (o.volume && !o.volume.terminating) d.actions.push({ type: 'DeleteVolume' });
  d.finish(
    'Aborted',
    spec.abort.keepWork && attempt === 0 ? 'Aborted before any work started' : 'Aborted; work discarded',
  );
}
