// What the operator's caches keep of each object: only what the StoryRun
// controller reads (observe.ts, the finalizer and owner checks), so 1,000
// pods and claims cost a fraction of their full size. Applied in place by the
// informers before an object is cached; observe.ts must read nothing else.
import type * as k8s from '@kubernetes/client-node';
import { LABELS, MANAGED_BY, RESOURCES } from '@nightshift/crds/contract';
import {
  persistentVolumeClaimResource,
  podResource,
  type Manager,
  type MultiNamespaceInformer,
} from '../kube/index.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Meta = k8s.V1ObjectMeta;
const KEPT_METADATA: (keyof Meta)[] = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'labels',
  'ownerReferences',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'finalizers',
];

function trimMetadata(metadata: Meta | undefined): void {
  if (!metadata) return;
  for (const key of Object.keys(metadata) as (keyof Meta)[]) {
    if (!KEPT_METADATA.includes(key)) delete metadata[key];
  }
}

/** A story pod: identity, labels, owner, and the phase and container states of its status. */
export function trimPod(pod: k8s.V1Pod): void {
  trimMetadata(pod.metadata);
  delete pod.spec;
  const status = pod.status;
  if (!status) return;
  const containers = (list: k8s.V1ContainerStatus[] | undefined) =>
    list?.map(({ name, state }) => ({ name, state }) as k8s.V1ContainerStatus);
  pod.status = {
    ...(status.phase ? { phase: status.phase } : {}),
    ...(status.reason ? { reason: status.reason } : {}),
    ...(status.containerStatuses ? { containerStatuses: containers(status.containerStatuses) } : {}),
    ...(status.initContainerStatuses ? { initContainerStatuses: containers(status.initContainerStatuses) } : {}),
  };
}

/** A worktree claim: identity and its phase. */
export function trimClaim(claim: k8s.V1PersistentVolumeClaim): void {
  trimMetadata(claim.metadata);
  delete claim.spec;
  claim.status = claim.status?.phase ? { phase: claim.status.phase } : {};
}

/** A StoryRun keeps its spec and status; kubectl's copy of the last applied object goes (it repeats the spec). */
export function trimStoryRun(storyRun: k8s.KubernetesObject): void {
  const annotations = storyRun.metadata?.annotations;
  if (annotations?.[LAST_APPLIED] === undefined) return;
  delete annotations[LAST_APPLIED];
  if (Object.keys(annotations).length === 0) delete storyRun.metadata!.annotations;
}

export interface StoryCaches {
  storyRuns: MultiNamespaceInformer;
  /** Only the pods and claims this operator made. */
  pods: MultiNamespaceInformer<k8s.V1Pod>;
  volumes: MultiNamespaceInformer<k8s.V1PersistentVolumeClaim>;
}

/**
 * The shared caches of StoryRuns and of the pods and claims the operator
 * made, trimmed as above: every controller and loop that reads them asks
 * here, so all share one watch and one trimmed copy.
 */
export function storyCaches(manager: Manager): StoryCaches {
  const owned = `${LABELS.managedBy}=${MANAGED_BY}`;
  return {
    storyRuns: manager.informer(RESOURCES.storyRun, { transform: trimStoryRun }),
    pods: manager.informer<k8s.V1Pod>(podResource, { labelSelector: owned, transform: trimPod }),
    volumes: manager.informer<k8s.V1PersistentVolumeClaim>(persistentVolumeClaimResource, {
      labelSelector: owned,
      transform: trimClaim,
    }),
  };
}
