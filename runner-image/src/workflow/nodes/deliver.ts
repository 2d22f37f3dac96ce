// deliver, in two steps of their own so a resume never repeats one: push the
// branch (pushing the same commit again is a no-op), then open the draft pull
// request (an open one for the branch is reused) and queue it for review.
import { StoryFailure } from '../../errors.ts';
import { describePullRequest } from '../../deliver/description.ts';
import { openDraftPullRequest } from '../../deliver/pull-request.ts';
import { resolvePullRequestTarget } from '../../deliver/target.ts';
import { enqueueForReview } from '../../records/reviews.ts';
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function pushStep(deps: WorkflowDeps) {
  return async (_state: State): Promise<Update> => {
    const change = await deps.worktree.summary(0);
    if (change.commits === 0) {
      throw new StoryFailure(
        'NoChanges',
        `nothing to deliver: ${deps.worktree.branch} has no commits ahead of ${deps.worktree.baseBranch}`,
      );
    }
    const sha = await deps.worktree.push();
    await deps.events.record({
      type: 'BranchPushed',
      step: 'deliver',
      message: `pushed ${deps.worktree.branch} at ${sha.slice(0, 12)}`,
      data: { branch: deps.worktree.branch, sha, commits: change.commits },
      key: `push:${sha}`,
    });
    return { pushedSha: sha };
  };
}

export function openPullRequestStep(deps: WorkflowDeps) {
  return async (state: State): Promise<Update> => {
    const { spec, story } = deps;
    const target = resolvePullRequestTarget(spec.repository);
    if (!target) {
      throw new StoryFailure(
        'NoPullRequestTarget',
        `cannot tell where to open the pull request for ${spec.repository.url}: set spec.repository.pullRequests`,
      );
    }
    const change = await deps.worktree.summary();
    const costUSD = await deps.ledger.settledTotal();
    const confidence = state.gateResult!.confidence;
    const body = describePullRequest({
      story: spec.story,
      run: { namespace: story.namespace, name: story.name, attempt: deps.attempt },
      change,
      implementation: state.implementation?.summary ?? '',
      verify: state.verification!,
      maxVerifyAttempts: spec.verify?.maxAttempts,
      review: state.reviewResult,
      gate: state.gateResult!,
      decisions: [...state.answers, ...state.gateAnswers],
      costUSD,
      maxCostUSD: spec.maxCostUSD,
      dashboardURL: deps.dashboardURL,
    });
    const pr = await openDraftPullRequest({
      target,
      token: deps.gitToken,
      head: deps.worktree.branch,
      base: deps.worktree.baseBranch,
      title: `${spec.story.id}: ${spec.story.title}`,
      body,
      log: deps.log,
    });
    await enqueueForReview(deps.pool, {
      storyUid: story.uid,
      namespace: story.namespace,
      name: story.name,
      repository: `${target.owner}/${target.repo}`,
      number: pr.number,
      url: pr.url,
      headBranch: deps.worktree.branch,
      baseBranch: deps.worktree.baseBranch,
      confidence,
      costUSD,
    });
    await deps.events.record({
      type: 'PullRequestOpened',
      step: 'deliver',
      message: `${pr.reused ? 'reused' : 'opened'} draft pull request #${pr.number}`,
      data: { url: pr.url, number: pr.number, reused: pr.reused, repository: `${target.owner}/${target.repo}` },
      key: `pull-request:${pr.number}`,
    });
    const pullRequest = { url: pr.url, number: pr.number };
    return { pullRequest, result: { outcome: 'Succeeded', pullRequest, confidence } };
  };
}
