// Opens the story's draft pull request with Octokit (api.github.com or a
// GitHub Enterprise /api/v3), or reuses the open one for the same head branch,
// so delivering twice opens one pull request.
import { StoryFailure } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { PullRequestTarget } from './target.ts';

export interface OpenPullRequest {
  target: PullRequestTarget;
  token: string | undefined;
  head: string;
  base: string;
  title: string;
  body: string;
  log: Logger;
}

export interface PullRequestRef {
  url: string;
  number: number;
  reused: boolean;
}

export async function openDraftPullRequest(request: OpenPullRequest): Promise<PullRequestRef> {
  const { Octokit } = await import('@octokit/rest');
  const { target } = request;
  const octokit = new Octokit({
    baseUrl: target.apiURL,
    userAgent: 'nightshift-runner',
    // Failed requests are handled (or rethrown with context) below; keep Octokit's own lines in our JSON log.
    log: {
      debug: (message: string) => request.log.debug({ octokit: true }, message),
      info: (message: string) => request.log.debug({ octokit: true }, message),
      warn: (message: string) => request.log.warn({ octokit: true }, message),
      error: (message: string) => request.log.debug({ octokit: true }, message),
    },
    ...(request.token ? { auth: request.token } : {}),
  });
  const existing = async () => {
    const { data } = await octokit.rest.pulls.list({
      owner: target.owner,
      repo: target.repo,
      head: `${target.owner}:${request.head}`,
      state: 'open',
      per_page: 100,
    });
    const pull = data.find((p) => p.head.ref === request.head);
    return pull ? { url: pull.html_url, number: pull.number, reused: true } : undefined;
  };
  try {
    const found = await existing();
    if (found) return found;
    const { data } = await octokit.rest.pulls.create({
      owner: target.owner,
      repo: target.repo,
      title: request.title,
      head: request.head,
      base: request.base,
      body: request.body,
      draft: true,
    });
    return { url: data.html_url, number: data.number, reused: false };
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status === 422) {
      const raced = await existing().catch(() => undefined); // opened meanwhile by an earlier attempt
      if (raced) return raced;
    }
    // Rate limits (403/429) and server errors are worth a retry (a crash); the rest will not change.
    if (status === 400 || status === 401 || status === 404 || status === 422) {
      throw new StoryFailure(
        'PullRequestRejected',
        `${target.apiURL} refused the pull request for ${target.owner}/${target.repo} (${status}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    throw error;
  }
}
