// salvage mode (abort with keepWork): commit whatever is in the worktree as a
// WIP commit and push the branch, so no work is lost; nothing else.
import type { Outcome } from '../records/session.ts';
import { acquireStoryLock, prepareWorktree, type Runtime } from './runtime.ts';

export async function salvageStory(rt: Runtime): Promise<Outcome> {
  const { story } = rt.config.storyRun.spec;
  const lock = await acquireStoryLock(rt);
  try {
    const { worktree } = await prepareWorktree(rt);
    const commit = await worktree.commitAll(
      [
        `WIP: ${story.id}: ${story.title}`,
        '',
        'Work in progress, salvaged when the story was aborted.',
        '',
        `Nightshift-Story: ${story.id}`,
        `Nightshift-Run: ${rt.config.storyRun.metadata.namespace}/${rt.config.storyRun.metadata.name}`,
      ].join('\n'),
    );
    if (commit) {
      await rt.events.record({
        type: 'Committed',
        message: `${commit.sha.slice(0, 12)} WIP (salvage)`,
        data: { sha: commit.sha, files: commit.files, salvage: true },
        key: `commit:${commit.sha}`,
      });
    }
    const { commits } = await worktree.summary(0);
    if (commits === 0) {
      rt.log.info('nothing to salvage: the branch has no commits ahead of its base');
      return { outcome: 'Salvaged', detail: { branch: worktree.branch, pushed: false } };
    }
    const sha = await worktree.push();
    await rt.events.record({
      type: 'BranchPushed',
      message: `pushed ${worktree.branch} at ${sha.slice(0, 12)} (salvage)`,
      data: { branch: worktree.branch, sha, commits, salvage: true },
      key: `push:${sha}`,
    });
    return { outcome: 'Salvaged', detail: { branch: worktree.branch, pushed: true } };
  } finally {
    await lock.release();
  }
}
