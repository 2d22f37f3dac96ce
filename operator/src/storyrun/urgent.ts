// Which StoryRun changes must not wait behind a backlog of admissions: the
// controls a person uses to stop or steer a story (pause, its mode, abort, an
// answer) and a deletion. They go to the work queue's urgent lane. Pure.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';

const CONTROL_FIELDS = ['paused', 'pauseMode', 'abort', 'decisions'] as const;

const specOf = (object: KubernetesObject | undefined) =>
  ((object as { spec?: Record<string, unknown> } | undefined)?.spec ?? {}) as Record<string, unknown>;

export function isUrgentChange(event: { type: string; object: KubernetesObject; old?: KubernetesObject }): boolean {
  if (event.type !== 'update' || !event.old) return false;
  if (event.object.metadata?.deletionTimestamp && !event.old.metadata?.deletionTimestamp) return true;
  const before = specOf(event.old);
  const after = specOf(event.object);
  return CONTROL_FIELDS.some((field) => !isDeepStrictEqual(before[field], after[field]));
}
