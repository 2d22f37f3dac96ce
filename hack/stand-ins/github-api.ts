// The part of GitHub's REST API the runner uses (pull requests), answered the
// way GitHub answers: requests checked against the OpenAPI description first,
// responses built from the documented examples and checked against the
// documented response schema before they are sent.
import { existsSync } from 'node:fs';
import { branchHead, git, repositoryPath } from './repositories.ts';
import type { GitHubDescription, MatchedOperation } from './github-openapi.ts';

export interface RecordedPull {
  owner: string;
  repo: string;
  number: number;
  title: string;
  body: string | null;
  head: string;
  base: string;
  draft: boolean;
  state: 'open' | 'closed';
  headSha: string;
  baseSha: string;
  createdAt: string;
}

export interface ApiRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface GitHubApiContext {
  description: GitHubDescription;
  root: string;
  /** e.g. http://127.0.0.1:7080 (html_url) and http://127.0.0.1:7080/api/v3 (url) */
  webURL: string;
  apiURL: string;
  pulls: RecordedPull[];
  /** Called after pulls changed, before the answer is sent: a forge keeps them on disk. */
  pullsChanged?: () => void;
}

const DOCS = 'https://docs.github.com/enterprise-server/rest';

export function validationFailed(message: string, errors?: unknown[]): ApiResponse {
  return { status: 422, body: { message, ...(errors ? { errors } : {}), documentation_url: DOCS } };
}

export function notFound(message = 'Not Found'): ApiResponse {
  return { status: 404, body: { message, documentation_url: DOCS } };
}

/** Answers one API request (path without the /api/v3 prefix). */
export async function handleApiRequest(ctx: GitHubApiContext, request: ApiRequest): Promise<ApiResponse> {
  const match = ctx.description.match(request.method, request.path);
  if (!match) return notFound();
  const problems = ctx.description.checkRequest(match, request.query, request.body);
  if (problems.length > 0) return validationFailed(`Invalid request.\n\n${problems.join('\n')}`);

  const handler = HANDLERS[match.operationId];
  if (!handler) {
    return { status: 501, body: { message: `${match.operationId} is not implemented by the forge stand-in` } };
  }
  const response = await handler(ctx, match, request);
  const schema = response.status < 300 ? ctx.description.responseSchema(match, response.status) : undefined;
  if (schema) {
    const mismatches = ctx.description.validate(response.body, schema, '');
    if (mismatches.length > 0) {
      throw new Error(`forge answer to ${match.operationId} breaks the documented shape: ${mismatches.join('; ')}`);
    }
  }
  return response;
}

type Handler = (ctx: GitHubApiContext, match: MatchedOperation, request: ApiRequest) => Promise<ApiResponse>;

const HANDLERS: Record<string, Handler> = {
  'pulls/create': createPull,
  'pulls/list': listPulls,
  'pulls/get': getPull,
};

function repoOf(
  ctx: GitHubApiContext,
  match: MatchedOperation,
): { owner: string; repo: string; bare: string } | undefined {
  const { owner, repo } = match.pathParams as { owner: string; repo: string };
  try {
    const bare = repositoryPath(ctx.root, `${owner}/${repo}`);
    return existsSync(bare) ? { owner, repo, bare } : undefined;
  } catch {
    return undefined;
  }
}

/** "owner:branch" or "branch" → branch (same-repository pull requests only). */
function headBranch(owner: string, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon) === owner ? head.slice(colon + 1) : undefined;
}

async function createPull(ctx: GitHubApiContext, match: MatchedOperation, request: ApiRequest): Promise<ApiResponse> {
  const target = repoOf(ctx, match);
  if (!target) return notFound();
  const body = request.body as { title?: string; head: string; base: string; body?: string; draft?: boolean };
  if (body.title === undefined) return validationFailed('Invalid request.\n\n"title" wasn\'t supplied.');
  const head = headBranch(target.owner, body.head);
  const headSha = head ? await branchHead(target.bare, head) : undefined;
  if (!head || !headSha) {
    return validationFailed('Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }]);
  }
  const baseSha = await branchHead(target.bare, body.base);
  if (!baseSha) {
    return validationFailed('Validation Failed', [{ resource: 'PullRequest', field: 'base', code: 'invalid' }]);
  }
  const ahead = Number((await git(target.bare, ['rev-list', '--count', `${baseSha}..${headSha}`])).trim());
  if (ahead === 0) {
    return validationFailed('Validation Failed', [
      { resource: 'PullRequest', code: 'custom', message: `No commits between ${body.base} and ${head}` },
    ]);
  }
  const existing = ctx.pulls.find(
    (p) =>
      p.owner === target.owner &&
      p.repo === target.repo &&
      p.head === head &&
      p.base === body.base &&
      p.state === 'open',
  );
  if (existing) {
    return validationFailed('Validation Failed', [
      {
        resource: 'PullRequest',
        code: 'custom',
        message: `A pull request already exists for ${target.owner}:${head}.`,
      },
    ]);
  }
  const pull: RecordedPull = {
    owner: target.owner,
    repo: target.repo,
    number: ctx.pulls.filter((p) => p.owner === target.owner && p.repo === target.repo).length + 1,
    title: body.title,
    body: body.body ?? null,
    head,
    base: body.base,
    draft: body.draft ?? false,
    state: 'open',
    headSha,
    baseSha,
    createdAt: new Date().toISOString(),
  };
  ctx.pulls.push(pull);
  ctx.pullsChanged?.();
  const url = `${ctx.apiURL}/repos/${pull.owner}/${pull.repo}/pulls/${pull.number}`;
  return { status: 201, body: pullRequestBody(ctx, pull, 'pull-request'), headers: { Location: url } };
}

async function listPulls(ctx: GitHubApiContext, match: MatchedOperation, request: ApiRequest): Promise<ApiResponse> {
  const target = repoOf(ctx, match);
  if (!target) return notFound();
  const state = request.query.get('state') ?? 'open';
  const head = request.query.get('head');
  const base = request.query.get('base');
  const pulls = ctx.pulls.filter(
    (p) =>
      p.owner === target.owner &&
      p.repo === target.repo &&
      (state === 'all' || p.state === state) &&
      (!head || headBranch(target.owner, head) === p.head) &&
      (!base || p.base === base),
  );
  return { status: 200, body: pulls.map((p) => pullRequestBody(ctx, p, 'pull-request-simple')) };
}

async function getPull(ctx: GitHubApiContext, match: MatchedOperation): Promise<ApiResponse> {
  const target = repoOf(ctx, match);
  const number = Number(match.pathParams.pull_number);
  const pull = ctx.pulls.find((p) => p.owner === target?.owner && p.repo === target?.repo && p.number === number);
  return pull ? { status: 200, body: pullRequestBody(ctx, pull, 'pull-request') } : notFound();
}

/** The documented example, rewritten to describe this pull request on this forge. */
function pullRequestBody(ctx: GitHubApiContext, pull: RecordedPull, example: string): Record<string, unknown> {
  const fullName = `${pull.owner}/${pull.repo}`;
  const text = JSON.stringify(ctx.description.example(example))
    .replaceAll('https://api.github.com', ctx.apiURL)
    .replaceAll('https://github.com', ctx.webURL)
    .replaceAll('octocat/Hello-World', fullName);
  const body = JSON.parse(text) as Record<string, unknown>;
  const apiBase = `${ctx.apiURL}/repos/${fullName}`;
  const ref = (branch: string, sha: string, side: Record<string, unknown>) => ({
    ...side,
    label: `${pull.owner}:${branch}`,
    ref: branch,
    sha,
  });
  return {
    ...body,
    id: 1000 + pull.number,
    number: pull.number,
    url: `${apiBase}/pulls/${pull.number}`,
    html_url: `${ctx.webURL}/${fullName}/pull/${pull.number}`,
    diff_url: `${ctx.webURL}/${fullName}/pull/${pull.number}.diff`,
    patch_url: `${ctx.webURL}/${fullName}/pull/${pull.number}.patch`,
    issue_url: `${apiBase}/issues/${pull.number}`,
    commits_url: `${apiBase}/pulls/${pull.number}/commits`,
    review_comments_url: `${apiBase}/pulls/${pull.number}/comments`,
    comments_url: `${apiBase}/issues/${pull.number}/comments`,
    statuses_url: `${apiBase}/statuses/${pull.headSha}`,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: pull.draft,
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    // A new pull request has none of these; the documented example's are not even valid against the schema.
    assignee: null,
    assignees: [],
    requested_reviewers: [],
    requested_teams: [],
    labels: [],
    milestone: null,
    head: ref(pull.head, pull.headSha, body.head as Record<string, unknown>),
    base: ref(pull.base, pull.baseSha, body.base as Record<string, unknown>),
    ...(example === 'pull-request' ? { merged: false, mergeable: null, merged_by: null } : {}),
  };
}
