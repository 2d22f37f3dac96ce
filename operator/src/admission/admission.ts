// The admission seam: whether a StoryRun that has not started may start now.
// Stories without a queue start at once. A queued story starts once its
// WorkQueue admitted it: the WorkQueue controller decides (one queue at a
// time, claimed in work_queue), and this only reads that record. The
// StoryRun reconciler asks nothing else.
import type pg from 'pg';
import type { StoryRun } from '@nightshift/crds';
import { queueRowOf } from '../records/work-queue.ts';

/** The answer to "may this story start now?", with a CamelCase reason for its Admitted condition. */
export interface Admission {
  admitted: boolean;
  reason: string;
  message: string;
  /** Its place in its queue while it waits (1: admitted next). */
  position?: number;
}

export type AdmissionPolicy = (storyRun: StoryRun) => Promise<Admission> | Admission;

const NO_QUEUE: Admission = { admitted: true, reason: 'NoQueue', message: 'no queue: admitted at once' };

/** Stories without a queue start at once; queued ones wait (for an operator without queue admission). */
export const admitUnqueued: AdmissionPolicy = (storyRun) =>
  storyRun.spec.queueRef
    ? {
        admitted: false,
        reason: 'WaitingForQueue',
        message: `waiting for WorkQueue ${storyRun.spec.queueRef} to admit it (queue admission is not enabled in this operator)`,
      }
    : NO_QUEUE;

/** Queued stories start when their work_queue row is Admitted; the queue's existence is checked in the cache. */
export function admitByQueue(deps: {
  pool: pg.Pool;
  queueExists: (namespace: string, name: string) => boolean;
}): AdmissionPolicy {
  return async (storyRun) => {
    const queue = storyRun.spec.queueRef;
    if (!queue) return NO_QUEUE;
    const namespace = storyRun.metadata.namespace!;
    const row = await queueRowOf(deps.pool, storyRun.metadata.uid!);
    if (row?.state === 'Admitted' && row.queue_name === queue) {
      return { admitted: true, reason: 'AdmittedByQueue', message: `admitted by WorkQueue ${queue}` };
    }
    if (!deps.queueExists(namespace, queue)) {
      return {
        admitted: false,
        reason: 'QueueNotFound',
        message: `WorkQueue ${queue} does not exist in namespace ${namespace}: create it, or remove spec.queueRef`,
      };
    }
    const position = row?.state === 'Queued' && row.position !== null ? row.position : undefined;
    return {
      admitted: false,
      reason: 'WaitingForQueue',
      message: `waiting in WorkQueue ${queue}${position ? ` at position ${position}` : ''}`,
      ...(position ? { position } : {}),
    };
  };
}
