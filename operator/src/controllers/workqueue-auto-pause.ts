// spec.autoPause applied: the decision (queue/auto-pause.ts) turned into a
// keyed queue_events record, the queue's spec.paused, an Event, and the
// record marked applied, in that order, so a crash anywhere in between
// finishes the pause on the next reconcile and never pauses twice.
import type { KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import type { StoryRun, WorkQueue } from '@nightshift/crds';
import { RESOURCES } from '@nightshift/crds/contract';
import { resourcePath, type RestClient } from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { failedStories, shouldAutoPause } from '../queue/auto-pause.ts';
import { lastQueueEvent, markQueueEventApplied, recordQueueEvent } from '../records/work-queue.ts';

export interface AutoPauseDeps {
  pool: pg.Pool;
  client: RestClient;
  event(object: KubernetesObject, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
  logger: Logger;
}

/**
 * spec.autoPause: once enough stories failed, a queue_events record (keyed,
 * the claim), then spec.paused set over the version decided on, then the
 * record marked applied; a crash in between is finished by the next
 * reconcile. Returns the message while the auto-pause holds, and the
 * patched object (status is written over it).
 */
export async function autoPause(
  deps: AutoPauseDeps,
  queue: WorkQueue,
  raw: KubernetesObject,
  stories: StoryRun[],
  at: Date,
): Promise<{ message?: string; object?: KubernetesObject }> {
  const { namespace, name } = queue.metadata;
  const last = await lastQueueEvent(deps.pool, namespace!, name, 'AutoPaused');
  const previous = queue.status?.conditions?.find((c) => c.type === 'AutoPaused');
  if (queue.spec.paused) {
    if (last && !last.applied_at) await markQueueEventApplied(deps.pool, last.id);
    return previous?.status === 'True' ? { message: previous.message } : {};
  }
  let record = last && !last.applied_at ? last : undefined;
  if (!record) {
    const decision = shouldAutoPause(failedStories(stories), queue.spec.autoPause, at, last?.occurred_at);
    if (!decision.pause) return {};
    const key = `autopause:${queue.metadata.uid}:${decision.counted.at(-1)!.uid}`;
    await recordQueueEvent(deps.pool, {
      namespace: namespace!,
      queue: name,
      type: 'AutoPaused',
      message: decision.message,
      data: {
        failures: decision.counted.map((f) => ({ ...f, failedAt: f.failedAt.toISOString() })),
        withinMinutes: queue.spec.autoPause.withinMinutes,
      },
      idempotencyKey: key,
    });
    record = await lastQueueEvent(deps.pool, namespace!, name, 'AutoPaused');
  }
  const object = await deps.client.jsonPatch<KubernetesObject>(resourcePath(RESOURCES.workQueue, { namespace, name }), [
    { op: 'test', path: '/metadata/resourceVersion', value: raw.metadata!.resourceVersion },
    { op: 'add', path: '/spec/paused', value: true },
  ]);
  await markQueueEventApplied(deps.pool, record!.id);
  void deps.event(raw, 'Warning', 'AutoPaused', record!.message);
  deps.logger.warn({ workQueue: `${namespace}/${name}` }, record!.message);
  return { message: record!.message, object };
}
