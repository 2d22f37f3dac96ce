// Applies one planned change to the cluster or the records. Every action is
// idempotent: "already exists" and "already gone" are success, so a repeated
// reconcile (or one after a crash) never makes a second pod or row.
import { HttpMethod, type V1Pod } from '@kubernetes/client-node';
import type pg from 'pg';
import type { StoryRun } from '@nightshift/crds';
import { LABELS } from '@nightshift/crds/contract';
import {
  isConflict,
  isNotFound,
  persistentVolumeClaimResource,
  podResource,
  resourcePath,
  type RestClient,
} from '../kube/index.ts';
import { answerDecision } from '../records/decisions.ts';
import { ensureSession, recordEnd, recordPodCreated } from '../records/sessions.ts';
import type { Action } from './plan.ts';
import {
  podNameFor,
  snapshotOf,
  storyPod,
  volumeNameFor,
  worktreeVolumeClaim,
  type StoryPodSettings,
} from './resources.ts';

export interface ActionContext {
  client: RestClient;
  pool: pg.Pool;
  settings: StoryPodSettings;
  storyRun: StoryRun;
  daemonRunId?: string | undefined;
  onPodCreated?: () => void;
  /** Makes sure the namespace has the runners' database Secret (when the operator manages it). */
  ensureDatabaseSecret?: (namespace: string) => Promise<void>;
  /** The Budgets a new attempt draws on besides its cap (its queue's and its own budgetRef). */
  budgetKeys?: string[];
}

const ignore = (test: (error: unknown) => boolean) => (error: unknown) => {
  if (!test(error)) throw error;
};

/** Applies an action; returns false when it turned out to be unnecessary. */
export async function applyAction(action: Action, ctx: ActionContext): Promise<boolean> {
  const { storyRun, client } = ctx;
  const namespace = storyRun.metadata.namespace!;
  const pods = (name?: string) => resourcePath(podResource, { namespace, ...(name ? { name } : {}) });
  const claims = (name?: string) =>
    resourcePath(persistentVolumeClaimResource, { namespace, ...(name ? { name } : {}) });
  try {
    switch (action.type) {
      case 'EnsureVolume':
        await client
          .request(HttpMethod.POST, claims(), { body: worktreeVolumeClaim(storyRun, ctx.settings) })
          .catch(ignore(isConflict));
        return true;
      case 'DeleteVolume':
        await client
          .request(HttpMethod.DELETE, claims(volumeNameFor(storyRun.metadata.name)))
          .catch(ignore(isNotFound));
        return true;
      case 'StartAttempt':
        await startAttempt(action, ctx);
        return true;
      case 'StopPod':
        await client
          .request(HttpMethod.DELETE, pods(action.podName), { body: { gracePeriodSeconds: action.graceSeconds } })
          .catch(ignore(isNotFound));
        return true;
      case 'DeletePod':
        await client.request(HttpMethod.DELETE, pods(action.podName)).catch(ignore(isNotFound));
        return true;
      case 'RecordEnd':
        if (isPodMissing(action)) {
          // The cache may not have seen the pod yet: ask the API server before calling it gone.
          const pod = await client.get<V1Pod>(pods(action.podName)).catch(ignore(isNotFound));
          if (pod && pod.metadata?.uid === action.podUid) return false;
        }
        await recordEnd(ctx.pool, action.sessionId, action.end);
        return true;
      case 'AnswerDecision':
        await answerDecision(ctx.pool, {
          id: action.decisionId,
          choice: action.choice,
          comment: action.comment,
        });
        return true;
    }
  } catch (error) {
    throw new Error(
      `failed to ${describe(action)} for StoryRun ${namespace}/${storyRun.metadata.name}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const isPodMissing = ({ end }: Extract<Action, { type: 'RecordEnd' }>) =>
  end.detail.reason === 'PodMissing' || (end.outcome === 'Paused' && end.detail.cause === 'PodMissing');

function describe(action: Action): string {
  switch (action.type) {
    case 'EnsureVolume':
      return 'create the worktree volume';
    case 'DeleteVolume':
      return 'delete the worktree volume';
    case 'StartAttempt':
      return `start attempt ${action.attempt} (${action.mode})`;
    case 'StopPod':
      return `stop pod ${action.podName}`;
    case 'DeletePod':
      return `delete pod ${action.podName}`;
    case 'RecordEnd':
      return `record the end of attempt ${action.attempt}`;
    case 'AnswerDecision':
      return `record the answer to decision ${action.decisionId}`;
  }
}

async function startAttempt(action: Extract<Action, { type: 'StartAttempt' }>, ctx: ActionContext): Promise<void> {
  const { storyRun, settings, client } = ctx;
  const namespace = storyRun.metadata.namespace!;
  const podName = podNameFor(storyRun.metadata.name, action.attempt, action.mode);
  // The record first: the pod carries its id, the runner reads the StoryRun
  // from it, and the next reconcile numbers attempts from the records, never
  // from a cache that may lag.
  const session = await ensureSession(ctx.pool, {
    snapshot: snapshotOf(storyRun),
    attempt: action.attempt,
    mode: action.mode,
    podName,
    daemonRunId: ctx.daemonRunId,
    budgetKeys: ctx.budgetKeys ?? [],
  });
  await ctx.ensureDatabaseSecret?.(namespace);
  let pod: V1Pod;
  try {
    pod = await client.request<V1Pod>(HttpMethod.POST, resourcePath(podResource, { namespace }), {
      body: storyPod(storyRun, { attempt: action.attempt, mode: action.mode, sessionId: session.id }, settings),
    });
    ctx.onPodCreated?.();
  } catch (error) {
    if (!isConflict(error)) throw error;
    pod = await client.get<V1Pod>(resourcePath(podResource, { namespace, name: podName }));
    if (pod.metadata?.labels?.[LABELS.storyRunUid] !== storyRun.metadata.uid) {
      throw new Error(`pod ${podName} exists but belongs to another StoryRun`, { cause: error });
    }
  }
  await recordPodCreated(ctx.pool, session.id, pod.metadata!.uid!);
}
