// The Kubernetes objects a StoryRun owns: its worktree volume and one pod per
// attempt. Pure builders, so what a story pod looks like is read in one place.
import { createHash } from 'node:crypto';
import type * as k8s from '@kubernetes/client-node';
import type { StoryRun } from '@nightshift/crds';
import type { OperatorConfig } from '../config/schema.ts';
import { ownerReference } from '../kube/owners.ts';

export const LABELS = {
  storyRun: 'nightshift.dev/storyrun',
  storyRunUid: 'nightshift.dev/storyrun-uid',
  attempt: 'nightshift.dev/attempt',
  mode: 'nightshift.dev/mode',
  managedBy: 'app.kubernetes.io/managed-by',
} as const;
export const MANAGED_BY = 'nightshift-operator';
export const WORKSPACE_PATH = '/workspace';
const RUNNER_UID = 10001;

/**
 * The StoryRun as client-node's KubernetesObject. Timestamps arrive from the
 * API server as strings, which client-node's types call Date; the machinery
 * works on plain JSON throughout, so the two describe the same object.
 */
export const asKubernetesObject = (storyRun: StoryRun) => storyRun as unknown as k8s.KubernetesObject;

/** A DNS-1123 name of at most 63 characters: long names keep a hash of the full name. */
function boundedName(base: string, suffix: string): string {
  const full = `${base}-${suffix}`;
  if (full.length <= 63) return full;
  const hash = createHash('sha256').update(full).digest('hex').slice(0, 8);
  return `${base.slice(0, 63 - suffix.length - hash.length - 2).replace(/-+$/, '')}-${hash}-${suffix}`;
}

export const podNameFor = (storyRunName: string, attempt: number, mode: 'run' | 'salvage') =>
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

export function worktreeVolumeClaim(storyRun: StoryRun, config: OperatorConfig): k8s.V1PersistentVolumeClaim {
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
  mode: 'run' | 'salvage';
  sessionId: string;
}

export function storyPod(storyRun: StoryRun, attempt: AttemptIdentity, config: OperatorConfig): k8s.V1Pod {
  const { spec } = storyRun;
  const snapshot = {
    apiVersion: storyRun.apiVersion,
    kind: storyRun.kind,
    metadata: {
      name: storyRun.metadata.name,
      namespace: storyRun.metadata.namespace,
      uid: storyRun.metadata.uid,
      generation: storyRun.metadata.generation,
    },
    spec,
  };
  const env: k8s.V1EnvVar[] = [
    { name: 'NIGHTSHIFT_STORYRUN', value: JSON.stringify(snapshot) },
    { name: 'NIGHTSHIFT_SESSION_ID', value: attempt.sessionId },
    { name: 'NIGHTSHIFT_ATTEMPT', value: String(attempt.attempt) },
    { name: 'NIGHTSHIFT_MODE', value: attempt.mode },
    { name: 'NIGHTSHIFT_WORKSPACE', value: WORKSPACE_PATH },
    secretEnv('DATABASE_URL', config.runner.databaseSecret.name, config.runner.databaseSecret.key),
  ];
  if (spec.repository.credentialsSecretRef) {
    const ref = spec.repository.credentialsSecretRef;
    env.push(secretEnv('NIGHTSHIFT_GIT_TOKEN', ref.name, ref.key ?? 'token'));
  }
  if (spec.agent.credentialsSecretRef) {
    const ref = spec.agent.credentialsSecretRef;
    env.push(secretEnv('NIGHTSHIFT_AGENT_API_KEY', ref.name, ref.key ?? 'apiKey'));
  }
  if (config.runner.dashboardURL) env.push({ name: 'NIGHTSHIFT_DASHBOARD_URL', value: config.runner.dashboardURL });
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
        'app.kubernetes.io/name': 'nightshift-runner',
      },
      annotations: { 'nightshift.dev/story-id': spec.story.id, 'nightshift.dev/session-id': attempt.sessionId },
      ownerReferences: [ownerReference(asKubernetesObject(storyRun))],
    },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: config.runner.gracefulStopSeconds,
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
          name: 'runner',
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
export function databaseSecret(namespace: string, config: OperatorConfig): k8s.V1Secret | undefined {
  if (!config.runner.databaseURL) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: config.runner.databaseSecret.name, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    type: 'Opaque',
    stringData: { [config.runner.databaseSecret.key]: config.runner.databaseURL },
  };
}
