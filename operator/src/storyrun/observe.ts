// Turns pods and claims from the informer caches into the plain views the
// lifecycle plan reads.
import type * as k8s from '@kubernetes/client-node';
import { LABELS, RUNNER_CONTAINER, runnerModeSchema } from '@nightshift/crds/contract';
import type { PodPhase, PodView, VolumeView } from './observation.ts';

export function podView(pod: k8s.V1Pod): PodView | undefined {
  const attempt = Number(pod.metadata?.labels?.[LABELS.attempt]);
  if (!Number.isInteger(attempt) || attempt < 1) return undefined;
  const runner = pod.status?.containerStatuses?.find((c) => c.name === RUNNER_CONTAINER);
  const terminated = runner?.state?.terminated;
  const waiting =
    runner?.state?.waiting ?? pod.status?.initContainerStatuses?.find((c) => c.state?.waiting)?.state?.waiting;
  return {
    name: pod.metadata!.name!,
    uid: pod.metadata!.uid!,
    attempt,
    mode: runnerModeSchema.catch('run').parse(pod.metadata?.labels?.[LABELS.mode]),
    phase: (pod.status?.phase as PodPhase | undefined) ?? 'Pending',
    terminating: Boolean(pod.metadata?.deletionTimestamp),
    ...(pod.metadata?.deletionGracePeriodSeconds !== undefined
      ? { deletionGracePeriodSeconds: pod.metadata.deletionGracePeriodSeconds }
      : {}),
    ...(terminated ? { exitCode: terminated.exitCode } : {}),
    ...((terminated?.reason ?? waiting?.reason ?? pod.status?.reason)
      ? { reason: terminated?.reason ?? waiting?.reason ?? pod.status?.reason }
      : {}),
    ...(terminated?.finishedAt ? { finishedAt: new Date(terminated.finishedAt) } : {}),
    ...((terminated?.message ?? waiting?.message)
      ? { message: (terminated?.message ?? waiting?.message)!.slice(0, 4096) }
      : {}),
    ...(pod.metadata?.creationTimestamp ? { createdAt: new Date(pod.metadata.creationTimestamp) } : {}),
  };
}

export function volumeView(claim: k8s.V1PersistentVolumeClaim | undefined): VolumeView | undefined {
  if (!claim) return undefined;
  return {
    name: claim.metadata!.name!,
    ...(claim.status?.phase ? { phase: claim.status.phase } : {}),
    terminating: Boolean(claim.metadata?.deletionTimestamp),
  };
}
