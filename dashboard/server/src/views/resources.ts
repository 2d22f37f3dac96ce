// Views of the cluster's objects as the API shows them, built from the
// objects the informers cache (parsed with the CRD schemas, never cast).
import type * as k8s from '@kubernetes/client-node';
import type { Budget, StoryRun, WorkQueue } from '@nightshift/crds';
import { CONFIRM_INCREASE_ANNOTATION, LABELS, RUNNER_CONTAINER, confirmIncreaseValue } from '@nightshift/crds/contract';
import type { BudgetView, PodView, QueueView, StorySummary } from '../api/schemas.ts';

/** Kubernetes times arrive as strings from watches and as Dates from some clients. */
export const isoTime = (value: string | Date | undefined | null): string | null => {
  if (value === undefined || value === null) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
};

export function storySummary(sr: StoryRun): StorySummary {
  const { metadata, spec, status } = sr;
  return {
    namespace: metadata.namespace ?? '',
    name: metadata.name,
    uid: metadata.uid ?? '',
    resourceVersion: metadata.resourceVersion ?? '',
    createdAt: isoTime(metadata.creationTimestamp),
    storyId: spec.story.id,
    title: spec.story.title,
    repository: spec.repository.url,
    backend: spec.agent.backend,
    queue: spec.queueRef ?? null,
    priority: spec.priority,
    position: spec.position ?? null,
    skip: spec.skip,
    paused: spec.paused,
    pauseMode: spec.pauseMode,
    abortRequested: spec.abort.requested,
    phase: status?.phase ?? null,
    step: status?.step ?? null,
    message: status?.message ?? null,
    attempt: status?.attempt ?? 0,
    costUSD: status?.costUSD ?? 0,
    maxCostUSD: spec.maxCostUSD ?? null,
    estimateUSD: status?.estimateUSD ?? null,
    estimateP90USD: status?.estimateP90USD ?? null,
    queuePosition: status?.queuePosition ?? null,
    pullRequest: status?.pullRequest ?? null,
    pendingDecision: status?.pendingDecision
      ? { id: status.pendingDecision.id, kind: status.pendingDecision.kind, question: status.pendingDecision.question }
      : null,
    startedAt: isoTime(status?.startedAt),
    completedAt: isoTime(status?.completedAt),
  };
}

export function podViewOf(pod: k8s.V1Pod): PodView {
  const runner = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
  const state = runner?.state?.terminated ?? runner?.state?.waiting;
  const attempt = Number(pod.metadata?.labels?.[LABELS.attempt]);
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    attempt: Number.isInteger(attempt) ? attempt : null,
    phase: pod.status?.phase ?? null,
    reason: state?.reason ?? pod.status?.reason ?? null,
    message: (state?.message ?? pod.status?.message)?.slice(0, 4096) ?? null,
    nodeName: pod.spec?.nodeName ?? null,
    startedAt: isoTime(pod.status?.startTime),
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    restarts: runner?.restartCount ?? 0,
  };
}

export function queueView(queue: WorkQueue, stories: StorySummary[]): QueueView {
  const counts: Record<string, number> = {};
  for (const story of stories) counts[story.phase ?? 'New'] = (counts[story.phase ?? 'New'] ?? 0) + 1;
  return {
    namespace: queue.metadata.namespace ?? '',
    name: queue.metadata.name,
    uid: queue.metadata.uid ?? '',
    resourceVersion: queue.metadata.resourceVersion ?? '',
    createdAt: isoTime(queue.metadata.creationTimestamp),
    spec: queue.spec,
    status: queue.status ?? null,
    counts,
  };
}

export function budgetView(budget: Budget, queues: string[]): BudgetView {
  const annotation = budget.metadata.annotations?.[CONFIRM_INCREASE_ANNOTATION] ?? null;
  const current = confirmIncreaseValue(budget.spec, budget.metadata.generation ?? 0);
  return {
    namespace: budget.metadata.namespace ?? '',
    name: budget.metadata.name,
    uid: budget.metadata.uid ?? '',
    resourceVersion: budget.metadata.resourceVersion ?? '',
    createdAt: isoTime(budget.metadata.creationTimestamp),
    spec: budget.spec,
    status: budget.status ?? null,
    confirmation: { annotation, current, confirmed: annotation === current },
    queues,
  };
}

/**
 * Admission order within a queue, as the queue engineer's admitNext sorts:
 * priority (higher first), then position (lower first; unset after set),
 * then creation time.
 */
export function admissionOrder(a: StorySummary, b: StorySummary): number {
  if (a.priority !== b.priority) return b.priority - a.priority;
  if (a.position !== b.position) {
    if (a.position === null) return 1;
    if (b.position === null) return -1;
    return a.position - b.position;
  }
  return (a.createdAt ?? '').localeCompare(b.createdAt ?? '') || a.name.localeCompare(b.name);
}
