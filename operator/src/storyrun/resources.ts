// The Kubernetes objects a StoryRun owns: its worktree volume and one pod per
// attempt. Pure builders, so what a story pod looks like is read in one place.
import { createHash } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import type { StoryRun } from '@nightshift/crds';
import {
  ANNOTATIONS,
  DEFAULT_SECRET_KEYS,
  LABELS,
  MANAGED_BY,
  RUNNER_APP_NAME,
  RUNNER_CONTAINER,
  RUNNER_ENV,
  WORKSPACE_PATH,
  type RunnerMode,
  type StoryRunSnapshot,
} from '@nightshift/crds/contract';
import type { OperatorConfig } from '../config/schema.ts';
import { ownerReference } from '../kube/owners.ts';

const RUNNER_UID = 10001;

/** The slice of the operator's configuration the story pod and volume builders read. */
export type StoryPodSettings = Pick<OperatorConfig, 'runner' | 'workspace'>;
export const storyPodSettings = ({ runner, workspace }: OperatorConfig): StoryPodSettings => ({ runner, workspace });

/**
 * The StoryRun as client-node's KubernetesObject. Timestamps arrive from the
 * API server as strings, which client-node's types call Date; the machinery
 * works on plain JSON throughout, so the two describe the same object.
 */
export const asKubernetesObject = (storyRun: StoryRun) => storyRun as unknown as k8s.KubernetesObject;

/** What the runner works from: the StoryRun's identity and spec as they are when the attempt starts. */
export function snapshotOf(storyRun: StoryRun): StoryRunSnapshot {
  const { name, namespace, uid, generation } = storyRun.metadata;
  if (!namespace || !uid)
    throw new Error(`StoryRun ${name} has no namespace or uid: it did not come from the API server`);
  return {
    apiVersion: storyRun.apiVersion,
    kind: storyRun.kind,
    metadata: { name, namespace, uid, ...(generation !== undefined ? { generation } : {}) },
    spec: storyRun.spec,
  };
}

/** A DNS-1123 name of at most 63 characters: long names keep a hash of the full name. */
function boundedName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${base.slice(0, 63 - suffix.length - hash.length - 2).replace(/-+$/, '')}-${hash}-${suffix}`;
}

export const podNameFor = (storyRunName: string, attempt: number, mode: RunnerMode) =>
  boundedName(storyRunName, mode === 'run' ? `${attempt}` : `salvage-${attempt}`);
export const volumeNameFor = (storyRunName: string) => boundedName(storyRunName, 'worktree');

function baseLabels(storyRun: StoryRun): Record<string, string> {
  return {
    // A label value holds at most 63 characters: longer names are found by uid (and ownerReference).
    ...(storyRun.metadata.name.length <= 63 ? { [LABELS.storyRun]: storyRun.metadata.name } : {}),
    [LABELS.storyRunUid]: storyRun.metadata.uid!,
    [LABELS.managedBy]: MANAGED_BY,
  };
}

export function worktreeVolumeClaim(storyRun: StoryRun, config: StoryPodSettings): k8s.V1PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: volumeNameFor(storyRun.metadata.name),
      namespace: storyRun.metadata.namespace,
      labels: baseLabels(storyRun),
      ownerReferences: [ownerReference(asKubernetesObject(storyRun))],
    },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: config.workspace.size } },
      ...(config.workspace.storageClassName ? { storageClassName: config.workspace.storageClassName } : {}),
    },
  };
}

const secretEnv = (name: string, secret: string, key: string, optional = false): k8s.V1EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key, optional } },
});

export interface AttemptIdentity {
  attempt: number;
  mode: RunnerMode;
  sessionId: string;
}

/**
 * The pod of one attempt. The runner reads the StoryRun from its attempt's
 * record (execution_sessions.storyrun), not from the environment: one
 * environment string holds at most 128 KiB on Linux, less than a valid spec.
 */
export function storyPod(storyRun: StoryRun, attempt: AttemptIdentity, config: StoryPodSettings): k8s.V1Pod {
  const { spec } = storyRun;
  const env: k8s.V1EnvVar[] = [
    { name: RUNNER_ENV.sessionId, value: attempt.sessionId },
    { name: RUNNER_ENV.attempt, value: String(attempt.attempt) },
    { name: RUNNER_ENV.mode, value: attempt.mode },
    { name: RUNNER_ENV.workspace, value: WORKSPACE_PATH },
    secretEnv(RUNNER_ENV.databaseURL, config.runner.databaseSecret.name, config.runner.databaseSecret.key),
  ];
  if (spec.repository.credentialsSecretRef) {
    const ref = spec.repository.credentialsSecretRef;
    env.push(secretEnv(RUNNER_ENV.gitToken, ref.name, ref.key ?? DEFAULT_SECRET_KEYS.gitToken));
  }
  if (spec.agent.credentialsSecretRef) {
    const ref = spec.agent.credentialsSecretRef;
    env.push(secretEnv(RUNNER_ENV.agentApiKey, ref.name, ref.key ?? DEFAULT_SECRET_KEYS.agentApiKey));
  }
  if (config.runner.dashboardURL) env.push({ name: RUNNER_ENV.dashboardURL, value: config.runner.dashboardURL });
  for (const [name, value] of Object.entries(config.runner.env)) {
    if (!env.some((e) => e.name === name)) env.push({ name, value });
  }

  const volume: k8s.V1Volume =
    config.workspace.volume === 'PersistentVolumeClaim'
      ? { name: 'worktree', persistentVolumeClaim: { claimName: volumeNameFor(storyRun.metadata.name) } }
      : { name: 'worktree', emptyDir: { sizeLimit: config.workspace.size } };
  const mount: k8s.V1VolumeMount = { name: 'worktree', mountPath: WORKSPACE_PATH };

  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podNameFor(storyRun.metadata.name, attempt.attempt, attempt.mode),
      namespace: storyRun.metadata.namespace,
      labels: {
        ...baseLabels(storyRun),
        [LABELS.attempt]: String(attempt.attempt),
        [LABELS.mode]: attempt.mode,
        [LABELS.name]: RUNNER_APP_NAME,
      },
      annotations: { [ANNOTATIONS.storyId]: spec.story.id, [ANNOTATIONS.sessionId]: attempt.sessionId },
      ownerReferences: [ownerReference(asKubernetesObject(storyRun))],
    },
    spec: {
      restartPolicy: 'Never',
      // What a pod gets when it is deleted without a grace of ours: its StoryRun
      // deleted (garbage collection), an eviction. A graceful pause passes its
      // own, longer grace with the delete. The kubelet never shortens a grace it
      // has begun, so the default must be the short one.
      terminationGracePeriodSeconds: config.runner.abortStopSeconds,
      automountServiceAccountToken: false,
      ...(config.runner.serviceAccountName ? { serviceAccountName: config.runner.serviceAccountName } : {}),
      ...(config.runner.hostNetwork ? { hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' } : {}),
      ...(Object.keys(config.runner.nodeSelector).length ? { nodeSelector: config.runner.nodeSelector } : {}),
      securityContext: {
        runAsNonRoot: true,
        runAsUser: RUNNER_UID,
        runAsGroup: RUNNER_UID,
        fsGroup: RUNNER_UID,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      ...(config.workspace.fixPermissions && config.workspace.volume === 'PersistentVolumeClaim'
        ? {
            initContainers: [
              {
                name: 'prepare-worktree',
                image: config.runner.image,
                imagePullPolicy: config.runner.imagePullPolicy,
                command: ['chown', `${RUNNER_UID}:${RUNNER_UID}`, WORKSPACE_PATH],
                securityContext: { runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: false },
                volumeMounts: [mount],
              },
            ],
          }
        : {}),
      containers: [
        {
          name: RUNNER_CONTAINER,
          image: config.runner.image,
          imagePullPolicy: config.runner.imagePullPolicy,
          env,
          resources: { requests: config.runner.resources.requests, limits: config.runner.resources.limits },
          volumeMounts: [mount],
          terminationMessagePolicy: 'FallbackToLogsOnError',
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
        },
      ],
      volumes: [volume],
    },
  };
}

/** The Secret that hands runner pods the database URL, when the operator manages it. */
export function databaseSecret(namespace: string, config: Pick<StoryPodSettings, 'runner'>): k8s.V1Secret | undefined {
  if (!config.runner.databaseURL) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: config.runner.databaseSecret.name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    type: 'Opaque',
    stringData: { [config.runner.databaseSecret.key]: config.runner.databaseURL },
  };
}
