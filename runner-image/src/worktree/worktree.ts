// The story's git worktree in NIGHTSHIFT_WORKSPACE/repo on branch
// nightshift/<story.id>: cloned once, reused by every later attempt (after
// repairing what a killed git left behind), committed atomically and pushed.
// Git operations are serialized in-process and, through a lock file in the
// repository's common git dir, across processes sharing its object store.
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative } from 'node:path';
import { StoryFailure } from '../errors.ts';
import { withFileLock } from './file-lock.ts';
import { GitError, runGit, type GitAuth, type GitRunOptions } from './git.ts';

export interface WorktreeOptions {
  workspace: string;
  remoteURL: string;
  token: string | undefined;
  baseBranch: string;
  branch: string;
  author: { name: string; email: string };
  /** Why the worktree needed repair, one line per fix (for logs and events). */
  onRecovery?: (reason: string) => void;
}

export interface ChangedFile {
  status: string;
  path: string;
}

export interface Commit {
  sha: string;
  files: ChangedFile[];
  /** the commit's diff, cut at maxPatchBytes */
  patch: string;
}

export interface BranchSummary {
  commits: number;
  files: ChangedFile[];
  /** git diff --stat against the base branch */
  stat: string;
  /** the full diff against the base branch, cut at maxPatchBytes */
  patch: string;
}

/** How bringing the branch onto the moved base went. */
export type RebaseResult =
  | { status: 'UpToDate'; onto: string }
  | { status: 'Rebased'; onto: string; head: string }
  | { status: 'Conflict'; onto: string; files: string[]; message: string };

export class Worktree {
  readonly path: string;
  readonly branch: string;
  readonly baseBranch: string;
  private readonly auth: GitAuth;
  private readonly author: { name: string; email: string };
  private readonly lockPath: string;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: WorktreeOptions, lockPath: string) {
    this.path = join(options.workspace, 'repo');
    this.branch = options.branch;
    this.baseBranch = options.baseBranch;
    this.auth = { remoteURL: options.remoteURL, token: options.token };
    this.author = options.author;
    this.lockPath = lockPath;
  }

  /** Clones (first attempt) or reuses and repairs (later attempts) the worktree, on the story's branch. */
  static async prepare(options: WorktreeOptions): Promise<{ worktree: Worktree; reused: boolean }> {
    await mkdir(options.workspace, { recursive: true });
    const recover = options.onRecovery ?? (() => {});
    const path = join(options.workspace, 'repo');
    const cloneLock = join(options.workspace, '.nightshift-clone.lck');
    let reused = existsSync(join(path, '.git'));
    if (reused && !(await repairRepository(path, recover))) {
      const aside = `${path}.broken-${Date.now()}`;
      await rename(path, aside);
      recover(`the worktree's HEAD was unreadable; moved it to ${aside} and cloned again`);
      reused = false;
    }
    if (!reused) {
      await withFileLock(cloneLock, () => cloneInto(path, options, recover), { onTakeover: recover });
    }
    const commonDir = (await runGit(path, ['rev-parse', '--git-common-dir'])).stdout.trim();
    const worktree = new Worktree(
      options,
      join(isAbsolute(commonDir) ? commonDir : join(path, commonDir), 'nightshift-ops.lck'),
    );
    if (reused) await worktree.ensureOnBranch(recover);
    return { worktree, reused };
  }

  /** One git command, serialized with every other git command on this object store. */
  async git(args: string[], options: GitRunOptions = {}): Promise<string> {
    return (await this.serialized(() => runGit(this.path, args, options))).stdout;
  }

  async head(): Promise<string> {
    return (await this.git(['rev-parse', 'HEAD'])).trim();
  }

  /** `git add -A && git commit` as one step; undefined when there was nothing to commit. */
  async commitAll(message: string, maxPatchBytes = 100_000): Promise<Commit | undefined> {
    const env = {
      GIT_AUTHOR_NAME: this.author.name,
      GIT_AUTHOR_EMAIL: this.author.email,
      GIT_COMMITTER_NAME: this.author.name,
      GIT_COMMITTER_EMAIL: this.author.email,
    };
    return this.serialized(async () => {
      await runGit(this.path, ['add', '-A']);
      const staged = await runGit(this.path, ['diff', '--cached', '--quiet'], { okCodes: [1] });
      if (staged.exitCode === 0) return undefined;
      await runGit(this.path, ['commit', '--quiet', '--no-verify', '-m', message], { env });
      const sha = (await runGit(this.path, ['rev-parse', 'HEAD'])).stdout.trim();
      const files = parseNameStatus((await runGit(this.path, ['show', '--name-status', '--format=', sha])).stdout);
      const patch = (await runGit(this.path, ['show', '--format=', '--no-color', sha])).stdout;
      return { sha, files, patch: cut(patch, maxPatchBytes) };
    });
  }

  /**
   * Pushes the branch; pushing the same commit again is a no-op. Forced: the
   * branch is the story's own, and a rebase onto a moved base rewrites it.
   */
  async push(): Promise<string> {
    await this.git(['push', '--quiet', '--no-verify', 'origin', `+HEAD:refs/heads/${this.branch}`], {
      auth: this.auth,
    });
    return this.head();
  }

  /**
   * Fetches the base branch and, when it moved past the branch's fork point,
   * rebases the branch onto it. A real conflict is undone (the branch stays
   * as it was) and reported with the conflicting files.
   */
  async rebaseOntoBase(): Promise<RebaseResult> {
    const base = `origin/${this.baseBranch}`;
    return this.serialized(async () => {
      await runGit(this.path, ['fetch', '--quiet', 'origin', `+refs/heads/${this.baseBranch}:refs/remotes/${base}`], {
        auth: this.auth,
      });
      const onto = (await runGit(this.path, ['rev-parse', base])).stdout.trim();
      const contained = await runGit(this.path, ['merge-base', '--is-ancestor', base, 'HEAD'], { okCodes: [1] });
      if (contained.exitCode === 0) return { status: 'UpToDate', onto };
      const rebase = await runGit(this.path, ['rebase', '--quiet', base], { env: this.committer(), okCodes: [1] });
      if (rebase.exitCode === 0)
        return { status: 'Rebased', onto, head: (await runGit(this.path, ['rev-parse', 'HEAD'])).stdout.trim() };
      const conflicted = await runGit(this.path, ['diff', '--name-only', '--diff-filter=U']);
      await runGit(this.path, ['rebase', '--abort']);
      return {
        status: 'Conflict',
        onto,
        files: conflicted.stdout.split('\n').filter(Boolean),
        message: rebase.stdout.trim().split('\n').slice(0, 20).join('\n'),
      };
    });
  }

  private committer(): Record<string, string> {
    return {
      GIT_AUTHOR_NAME: this.author.name,
      GIT_AUTHOR_EMAIL: this.author.email,
      GIT_COMMITTER_NAME: this.author.name,
      GIT_COMMITTER_EMAIL: this.author.email,
    };
  }

  async summary(maxPatchBytes = 100_000): Promise<BranchSummary> {
    const base = `origin/${this.baseBranch}`;
    const [count, nameStatus, stat, patch] = await Promise.all([
      this.git(['rev-list', '--count', `${base}..HEAD`]),
      this.git(['diff', '--name-status', `${base}...HEAD`]),
      this.git(['diff', '--stat', `${base}...HEAD`]),
      this.git(['diff', `${base}...HEAD`]),
    ]);
    return {
      commits: Number(count.trim()),
      files: parseNameStatus(nameStatus),
      stat: stat.trimEnd(),
      patch: cut(patch, maxPatchBytes),
    };
  }

  /**
   * Runs fn after every git operation this process queued before it, under the
   * lock file shared with other processes on this object store.
   */
  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = () => withFileLock(this.lockPath, fn);
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async ensureOnBranch(recover: (reason: string) => void): Promise<void> {
    const current = (await this.git(['symbolic-ref', '--quiet', '--short', 'HEAD'], { okCodes: [1] })).trim();
    if (current !== this.branch) {
      await this.git(['checkout', '--quiet', '-B', this.branch]);
      recover(`the worktree was on "${current || 'a detached HEAD'}"; switched to ${this.branch}`);
    }
  }
}

const cut = (patch: string, maxBytes: number) =>
  patch.length > maxBytes ? `${patch.slice(0, maxBytes)}\n[diff truncated]\n` : patch;

async function cloneInto(path: string, options: WorktreeOptions, recover: (reason: string) => void): Promise<void> {
  const partial = `${path}.partial`;
  if (existsSync(partial)) {
    await rm(partial, { recursive: true, force: true });
    recover(`removed ${partial}, left by a clone that did not finish`);
  }
  const auth = { remoteURL: options.remoteURL, token: options.token };
  await runGit(options.workspace, ['clone', '--quiet', '--no-tags', '--origin', 'origin', options.remoteURL, partial], {
    auth,
  });
  const has = async (ref: string) =>
    (await runGit(partial, ['show-ref', '--verify', '--quiet', ref], { okCodes: [1] })).exitCode === 0;
  let start: string;
  if (await has(`refs/remotes/origin/${options.branch}`)) {
    start = `origin/${options.branch}`; // an earlier attempt pushed it: continue from there
  } else if (await has(`refs/remotes/origin/${options.baseBranch}`)) {
    start = `origin/${options.baseBranch}`;
  } else {
    await rm(partial, { recursive: true, force: true });
    throw new StoryFailure(
      'BaseBranchNotFound',
      `base branch "${options.baseBranch}" does not exist in ${options.remoteURL}`,
    );
  }
  await runGit(partial, ['checkout', '--quiet', '--no-track', '-B', options.branch, start]);
  await rename(partial, path);
}

/**
 * Makes a worktree that a killed git may have left half-way usable again:
 * stale *.lock files, a corrupt index. false when HEAD itself is unreadable.
 */
async function repairRepository(path: string, recover: (reason: string) => void): Promise<boolean> {
  const gitDir = join(path, '.git');
  for (const lock of await findLockFiles(gitDir)) {
    await rm(lock, { force: true });
    recover(`removed stale ${relative(path, lock)} left by a git process that was killed`);
  }
  for (const dir of ['rebase-merge', 'rebase-apply']) {
    if (!existsSync(join(gitDir, dir))) continue;
    await runGit(path, ['rebase', '--abort'], { okCodes: [1, 128] });
    await rm(join(gitDir, dir), { recursive: true, force: true });
    recover(`aborted a rebase a killed runner left in progress (${dir})`);
  }
  try {
    await runGit(path, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    return false;
  }
  try {
    await runGit(path, ['status', '--porcelain']);
  } catch (error) {
    if (!(error instanceof GitError)) throw error;
    await rm(join(gitDir, 'index'), { force: true });
    await runGit(path, ['reset', '--quiet']);
    recover(`rebuilt the index from HEAD (git status failed: ${error.stderr.split('\n')[0]})`);
  }
  return true;
}

async function findLockFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (d: string) => {
    for (const entry of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'objects') await walk(full);
      } else if (entry.name.endsWith('.lock')) {
        found.push(full);
      }
    }
  };
  await walk(dir);
  return found;
}

export function parseNameStatus(text: string): ChangedFile[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const [status = '', ...paths] = line.split('\t');
      return { status, path: paths[paths.length - 1] ?? '' };
    });
}
