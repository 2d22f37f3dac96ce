// commit: everything the agent changed, as one commit. Re-running it after a
// crash finds nothing left to commit, so it never commits twice.
import { COMMIT_PATCH_MAX_BYTES } from '@nightshift/crds/contract';
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function commitStep(deps: WorkflowDeps) {
  return async (state: State): Promise<Update> => {
    const { story } = deps.spec;
    const message = [
      `${story.id}: ${story.title}`,
      '',
      state.implementation?.summary ?? '',
      '',
      `Nightshift-Story: ${story.id}`,
      `Nightshift-Run: ${deps.story.namespace}/${deps.story.name}`,
      `Nightshift-Round: ${state.round}`,
    ].join('\n');
    const commit = await deps.worktree.commitAll(message, COMMIT_PATCH_MAX_BYTES);
    if (!commit) return {};
    await deps.events.record({
      type: 'Committed',
      step: 'implement',
      message: `${commit.sha.slice(0, 12)} ${story.id}: ${story.title}`,
      data: { sha: commit.sha, round: state.round, files: commit.files, patch: commit.patch },
      key: `commit:${commit.sha}`,
    });
    for (const file of commit.files) {
      await deps.events.record({
        type: 'FileChanged',
        step: 'implement',
        message: `${file.status} ${file.path}`,
        data: { sha: commit.sha, status: file.status, path: file.path },
        key: `file:${commit.sha}:${file.path}`,
      });
    }
    return { commits: [...state.commits, commit.sha] };
  };
}
