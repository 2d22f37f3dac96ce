// The admission seam: whether a StoryRun that has not started may start now.
// The queue (priority, maxParallel), budget and schedule checks plug in here
// as further policies; the StoryRun reconciler only asks this question.
import type { StoryRun } from '@nightshift/crds';
import type { AdmissionView } from '../storyrun/observation.ts';

export type AdmissionPolicy = (storyRun: StoryRun) => Promise<AdmissionView> | AdmissionView;

/** Stories without a queue start at once; queued ones wait for queue admission. */
export const admitUnqueued: AdmissionPolicy = (storyRun) =>
  storyRun.spec.queueRef
    ? {
        admitted: false,
        reason: 'WaitingForQueue',
        message: `waiting for WorkQueue ${storyRun.spec.queueRef} to admit it (queue admission is not enabled in this operator)`,
      }
    : { admitted: true, reason: 'NoQueue', message: 'no queue: admitted at once' };
