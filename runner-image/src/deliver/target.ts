// Where a story's pull request goes: spec.repository.pullRequests, with owner
// and repo taken from a GitHub-style URL when not given. Pure.
import type { StoryRunSpec } from '@nightshift/crds';

export const GITHUB_API = 'https://api.github.com';

export interface PullRequestTarget {
  apiURL: string;
  owner: string;
  repo: string;
}

/** owner and repo from https://host/owner/repo(.git), git@host:owner/repo(.git) or ssh://git@host/owner/repo. */
export function ownerAndRepo(url: string): { host: string; owner: string; repo: string } | undefined {
  const scp = /^[\w.-]+@([^:/]+):([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url);
  if (scp) return { host: scp[1]!, owner: scp[2]!, repo: scp[3]! };
  try {
    const parsed = new URL(url);
    const parts = parsed.pathname.split('/').filter(Boolean);
    if (parts.length < 2) return undefined;
    return {
      host: parsed.hostname,
      owner: parts[parts.length - 2]!,
      repo: parts[parts.length - 1]!.replace(/\.git$/, ''),
    };
  } catch {
    return undefined;
  }
}

export function resolvePullRequestTarget(repository: StoryRunSpec['repository']): PullRequestTarget | undefined {
  const configured = repository.pullRequests ?? {};
  const parsed = ownerAndRepo(repository.url);
  const apiURL = configured.apiURL ?? (parsed?.host === 'github.com' ? GITHUB_API : undefined);
  const owner = configured.owner ?? parsed?.owner;
  const repo = configured.repo ?? parsed?.repo;
  if (!apiURL || !owner || !repo) return undefined;
  return { apiURL: apiURL.replace(/\/+$/, ''), owner, repo };
}
