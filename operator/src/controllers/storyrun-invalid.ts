// A StoryRun the schema rejects cannot be planned for: the reconciler says so
// where its owner looks (a Warning Event and the Valid condition, recorded
// once per generation) and changes nothing else. An edit that fixes it
// triggers the next reconcile, which removes the condition.
import type { KubernetesObject } from '@kubernetes/client-node';
import { RESOURCES } from '@nightshift/crds/contract';
import { isStaleWrite, setCondition, statusEqual, writeStatus } from '../kube/index.ts';
import { recordEvent } from '../records/events.ts';
import { describeIssues, invalidCondition } from '../storyrun/invalid.ts';
import type { StoryRunReconcilerDeps } from './storyrun.ts';

/**
 * An object the schema rejects cannot be planned for: say so where its owner
 * looks (a Warning Event, the Valid condition) and change nothing else. An
 * edit that fixes it triggers the next reconcile.
 */
export async function reportInvalid(
  raw: KubernetesObject,
  issues: Parameters<typeof describeIssues>[0],
  deps: Pick<StoryRunReconcilerDeps, 'client' | 'pool' | 'event' | 'logger'> & { now: () => Date },
): Promise<{ requeueAfterMs?: number }> {
  const key = `${raw.metadata?.namespace}/${raw.metadata?.name}`;
  const condition = invalidCondition(issues);
  const rawStatus = (raw as { status?: unknown }).status;
  const status = rawStatus !== null && typeof rawStatus === 'object' ? { ...rawStatus } : {};
  const conditions = 'conditions' in status && Array.isArray(status.conditions) ? status.conditions : [];
  const generation = raw.metadata?.generation;
  const updated = setCondition(
    conditions,
    { ...condition, ...(generation !== undefined ? { observedGeneration: generation } : {}) },
    deps.now(),
  );
  deps.logger.error({ storyRun: key, issues: describeIssues(issues) }, 'StoryRun does not match the schema');
  const uid = raw.metadata?.uid;
  const fresh =
    uid === undefined ||
    (await recordEvent(deps.pool, {
      storyUid: uid,
      type: condition.reason,
      message: condition.message ?? '',
      data: generation !== undefined ? { generation } : {},
      idempotencyKey: `operator:${uid}:g${generation ?? 0}:${condition.reason}`,
    }));
  if (fresh) void deps.event(raw, 'Warning', condition.reason, condition.message ?? '');
  if (statusEqual(conditions, updated)) return {};
  try {
    await writeStatus(deps.client, RESOURCES.storyRun, raw, { ...status, conditions: updated });
  } catch (error) {
    if (isStaleWrite(error)) return { requeueAfterMs: 200 };
    throw error;
  }
  return {};
}
