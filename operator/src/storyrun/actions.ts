// Applies one planned change to the cluster or the records. Every action is
// idempotent: "already exists" and "already gone" are success, so a repeated
// reconcile (or one after a crash) never makes a second pod or row.
import type * as k8s from '@kubernetes/client-node';
import type pg from 'pg';
import type { StoryRun } from '@nightshift/crds';
import type { OperatorConfig } from '../config/schema.ts';
import { answerDecision } from '../records/decisions.ts';
import { ensureSession, recordCrash, recordPodCreated } from '../records/sessions.ts';
import { apiErrorMessage } from '../errors.ts';
import type { Action } from './plan.ts';
import { LABELS, podNameFor, storyPod, volumeNameFor, worktreeVolumeClaim } from './resources.ts';

export interface ActionContext {
  core: k8s.CoreV1Api;
  pool: pg.Pool;
  config: OperatorConfig;
  storyRun: StoryRun;
  daemonRunId?: string | undefined;
  onPodCreated?: () => void;
  /** Makes sure the namespace has the runners' database Secret (when the operator manages it). */
  ensureDatabaseSecret?: (namespace: string) => Promise<void>;
}

const statusCode = (error: unknown) => (error as { code?: number }).code;
const ignore = (code: number) => (error: unknown) => {
  if (statusCode(error) !== code) throw error;
};

/** Applies an action; returns false when it turned out to be unnecessary. */
export async function applyAction(action: Action, ctx: ActionContext): Promise<boolean> {
  const { storyRun } = ctx;
  const namespace = storyRun.metadata.namespace!;
  const where = `StoryRun ${namespace}/${storyRun.metadata.name}`;
  try {
    switch (action.type) {
      case 'EnsureVolume':
        await ctx.core
          .createNamespacedPersistentVolumeClaim({ namespace, body: worktreeVolumeClaim(storyRun, ctx.config) })
          .catch(ignore(409));
        return true;
      case 'DeleteVolume':
        await ctx.core
          .deleteNamespacedPersistentVolumeClaim({ namespace, name: volumeNameFor(storyRun.metadata.name) })
          .catch(ignore(404));
        return true;
      case 'StartAttempt':
        await startAttempt(action, ctx);
        return true;
      case 'StopPod':
        await ctx.core
          .deleteNamespacedPod({ namespace, name: action.podName, gracePeriodSeconds: action.graceSeconds })
          .catch(ignore(404));
        return true;
      case 'DeletePod':
        await ctx.core.deleteNamespacedPod({ namespace, name: action.podName }).catch(ignore(404));
        return true;
      case 'RecordCrash':
        if (action.detail.reason === 'PodMissing' && (await podExists(ctx, action.podName))) {
          return false; // the cache had not seen the pod yet: not a crash
        }
        await recordCrash(ctx.pool, action.sessionId, action.detail);
        return true;
      case 'AnswerDecision':
        await answerDecision(ctx.pool, {
          id: action.decisionId,
          choice: action.choice,
          comment: action.comment,
          answeredBy: 'spec.decisions',
        });
        return true;
    }
  } catch (error) {
    // client-node's errors carry whole HTTP responses (headers, escaped bodies);
    // the short message keeps what matters and keeps logs readable.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`failed to ${describe(action)} for ${where}: ${apiErrorMessage(error)}`);
  }
}

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
    case 'RecordCrash':
      return `record the crash of attempt ${action.attempt}`;
    case 'AnswerDecision':
      return `record the answer to decision ${action.decisionId}`;
  }
}

async function podExists(ctx: ActionContext, name: string): Promise<boolean> {
  try {
    await ctx.core.readNamespacedPod({ namespace: ctx.storyRun.metadata.namespace!, name });
    return true;
  } catch (error) {
    if (statusCode(error) === 404) return false;
    throw error;
  }
}

async function startAttempt(action: Extract<Action, { type: 'StartAttempt' }>, ctx: ActionContext): Promise<void> {
  const { storyRun, config } = ctx;
  const namespace = storyRun.metadata.namespace!;
  const podName = podNameFor(storyRun.metadata.name, action.attempt, action.mode);
  // The record first: the pod carries its id, and the next reconcile numbers
  // attempts from the records, never from a cache that may lag.
  const session = await ensureSession(ctx.pool, {
    storyUid: storyRun.metadata.uid!,
    namespace,
    name: storyRun.metadata.name,
    storyId: storyRun.spec.story.id,
    attempt: action.attempt,
    mode: action.mode,
    podName,
    maxCostUSD: storyRun.spec.maxCostUSD,
    daemonRunId: ctx.daemonRunId,
  });
  await ctx.ensureDatabaseSecret?.(namespace);
  let pod: k8s.V1Pod;
  try {
    pod = await ctx.core.createNamespacedPod({
      namespace,
      body: storyPod(storyRun, { attempt: action.attempt, mode: action.mode, sessionId: session.id }, config),
    });
    ctx.onPodCreated?.();
  } catch (error) {
    if (statusCode(error) !== 409) throw error;
    pod = await ctx.core.readNamespacedPod({ namespace, name: podName });
    if (pod.metadata?.labels?.[LABELS.storyRunUid] !== storyRun.metadata.uid) {
      throw new Error(`pod ${podName} exists but belongs to another StoryRun`, { cause: error });
    }
  }
  await recordPodCreated(ctx.pool, session.id, pod.metadata!.uid!);
}
