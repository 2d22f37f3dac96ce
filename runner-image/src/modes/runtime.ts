// What both modes (run, salvage) start from, and the steps they share: the
// story lock and the worktree.
import type pg from 'pg';
import { branchFor } from '@nightshift/crds/contract';
import type { RunnerConfig } from '../config.ts';
import { StopRequested } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { EventLog } from '../records/events.ts';
import type { SessionRecord } from '../records/session.ts';
import { StoryLock } from '../records/story-lock.ts';
import { Worktree } from '../worktree/worktree.ts';

export interface Runtime {
  config: RunnerConfig;
  log: Logger;
  pool: pg.Pool;
  session: SessionRecord;
  events: EventLog;
  stopRequested(): boolean;
  /** The story lock's connection died: another pod may take the story now, so this one must stop at once. */
  lockLost(error: Error): void;
}

export const LOCK_WAIT_MS = 120_000;

export function storyOf(rt: Runtime): { uid: string; name: string; namespace: string } {
  const { uid, name, namespace } = rt.config.storyRun.metadata;
  return { uid, name, namespace };
}

/** Waits for the story lock; a SIGTERM while waiting is a stop like any other. */
export async function acquireStoryLock(rt: Runtime): Promise<StoryLock> {
  try {
    return await StoryLock.acquire(rt.config.databaseURL, storyOf(rt).uid, {
      timeoutMs: LOCK_WAIT_MS,
      onLost: (error) => rt.lockLost(error),
      shouldGiveUp: rt.stopRequested,
    });
  } catch (error) {
    if (rt.stopRequested()) throw new StopRequested();
    throw error;
  }
}

export async function prepareWorktree(rt: Runtime): Promise<{ worktree: Worktree; reused: boolean }> {
  const { spec } = rt.config.storyRun;
  const recoveries: string[] = [];
  const prepared = await Worktree.prepare({
    workspace: rt.config.workspace,
    remoteURL: spec.repository.url,
    token: rt.config.gitToken,
    baseBranch: spec.repository.baseBranch,
    branch: branchFor(spec.story.id),
    author: rt.config.gitAuthor,
    onRecovery: (reason) => recoveries.push(reason),
  });
  for (const reason of recoveries) {
    rt.log.warn({ reason }, 'worktree recovered');
    await rt.events.record({ type: 'WorktreeRecovered', message: reason, data: {} });
  }
  rt.log.info({ path: prepared.worktree.path, reused: prepared.reused }, 'worktree ready');
  await rt.events.record({
    type: 'WorktreeReady',
    message: `${prepared.reused ? 'reused' : 'cloned'} ${prepared.worktree.path} on ${prepared.worktree.branch}`,
    data: { path: prepared.worktree.path, branch: prepared.worktree.branch, reused: prepared.reused },
  });
  return prepared;
}
