// rebase: before the push, bring the branch onto its base as it is now.
// Stories of one repository run in parallel on their own branches, so the
// base may have moved (another story's pull request merged) since the clone.
// A clean rebase goes on to the push; a real conflict becomes a decision for
// a human, with the conflicting files in its context, instead of a failed
// story: retry (rebase again, e.g. after the base was fixed), deliver (push
// the branch as it is; the pull request shows the conflict) or abort.
// The rebase before interrupt() repeats on resume by design: it tries again
// against the base of that moment and asks again only if it still conflicts.
import { createHash } from 'node:crypto';
import { interrupt } from '@langchain/langgraph';
import type { Decision } from '../../records/decisions.ts';
import type { RebaseResult } from '../../worktree/worktree.ts';
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';
import type { HumanAnswer } from './ask.ts';

export const REBASE_CHOICES = ['retry', 'deliver', 'abort'] as const;

export function conflictDecision(
  story: { uid: string; name: string },
  visit: number,
  conflict: Extract<RebaseResult, { status: 'Conflict' }>,
  branch: string,
  baseBranch: string,
): Decision {
  const question = `${branch} no longer rebases cleanly onto ${baseBranch}: ${conflict.files.length} conflicting file(s). How should it be delivered?`;
  const hash = createHash('sha256')
    .update([story.uid, 'rebase', visit, conflict.onto].join('\0'))
    .digest('hex')
    .slice(0, 12);
  return {
    id: `${story.name.slice(0, 200)}-rebase${visit}-${hash}`,
    kind: 'Decision',
    step: 'deliver',
    question,
    context: [
      `The base branch ${baseBranch} moved to ${conflict.onto.slice(0, 12)} while this story ran, and rebasing onto it conflicts in:`,
      '',
      ...conflict.files.map((f) => `- \`${f}\``),
      '',
      '- **retry**: rebase again (after the base or the conflicting change was fixed)',
      '- **deliver**: push the branch as it is; the draft pull request will show the conflict',
      '- **abort**: end the story as Failed (RebaseConflict)',
      ...(conflict.message ? ['', '```', conflict.message, '```'] : []),
    ].join('\n'),
    options: [...REBASE_CHOICES],
    recommendation: 'deliver',
  };
}

export function rebaseStep(deps: WorkflowDeps) {
  return async (_state: State, visit: number): Promise<Update> => {
    const { worktree } = deps;
    const result = await worktree.rebaseOntoBase();
    if (result.status === 'UpToDate') return { rebaseRetry: false };
    if (result.status === 'Rebased') {
      await deps.events.record({
        type: 'Rebased',
        step: 'deliver',
        message: `rebased ${worktree.branch} onto ${worktree.baseBranch} at ${result.onto.slice(0, 12)}`,
        data: { onto: result.onto, head: result.head },
        key: `rebase:${result.head}`,
      });
      return { rebaseRetry: false };
    }
    const decision = conflictDecision(deps.story, visit, result, worktree.branch, worktree.baseBranch);
    const answer = interrupt<typeof decision, HumanAnswer>(decision);
    const choice = answer.choice.trim().toLowerCase();
    if (choice === 'retry') return { rebaseRetry: true };
    if (choice === 'abort') {
      return {
        rebaseRetry: false,
        result: {
          outcome: 'Failed',
          reason: 'RebaseConflict',
          message: `a human chose abort: ${worktree.branch} conflicts with ${worktree.baseBranch} in ${result.files.join(', ')}${answer.comment ? ` (${answer.comment})` : ''}`,
        },
      };
    }
    return { rebaseRetry: false }; // deliver as it is
  };
}
