// The admission seam: whether a StoryRun that has not started may start now.
// The queue (priority, maxParallel), budget and schedule checks plug in here
// as further policies; the StoryRun reconciler only asks this question.
import type { StoryRun } from '@nightshift/crds';

/** The answer to "may this story start now?", with a CamelCase reason for its Admitted condition. */
export interface Admission {
  admitted: boolean;
  reason: string;
  message: string;
}

export type AdmissionPolicy = (storyRun: StoryRun) => Promise<Admission> | Admission;

/** Stories without a queue start at once; queued ones wait for queue admission. */
export const admitUnqueued: AdmissionPolicy = (storyRun) =>
  storyRun.spec.queueRef
    ? {
        admitted: false,
        reason: 'WaitingForQueue',
        message: `waiting for WorkQueue ${storyRun.spec.queueRef} to admit it (queue admission is not enabled in this operator)`,
      }
    : { admitted: true, reason: 'NoQueue', message: 'no queue: admitted at once' };
