// The worktree against a real forge (git smart HTTP with a token): cloned on
// the story branch without the token landing on disk, committed atomically,
// serialized, pushed, and repaired after a killed git.
import { branchFor } from '@nightshift/crds/contract';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  branchHead,
  repositoryPath,
  seedDemoRepository,
  startForge,
  type Forge,
} from '../../../hack/stand-ins/forge.ts';
import { StoryFailure } from '../errors.ts';
import { Worktree, type WorktreeOptions } from './worktree.ts';

const TOKEN = 'worktree-test-token-42';

describe('worktree', function () {
  let dir: string;
  let forge: Forge;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'worktree-test-'));
    await seedDemoRepository(join(dir, 'forge'));
    forge = await startForge({ root: join(dir, 'forge'), token: TOKEN });
  });
  after(async () => {
    await forge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const options = (workspace: string, recoveries: string[] = []): WorktreeOptions => ({
    workspace: join(dir, workspace),
    remoteURL: forge.gitURL('demo/hello'),
    token: TOKEN,
    baseBranch: 'main',
    branch: branchFor(workspace),
    author: { name: 'Nightshift', email: 'nightshift@localhost' },
    onRecovery: (reason) => recoveries.push(reason),
  });
  const gitIn = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

  it('clones onto the story branch, keeps the token off disk, commits atomically and pushes', async () => {
    const { worktree, reused } = await Worktree.prepare(options('WT-1'));
    assert.equal(reused, false);
    assert.equal(gitIn(worktree.path, 'symbolic-ref', '--short', 'HEAD'), 'nightshift/WT-1');
    const config = readFileSync(join(worktree.path, '.git', 'config'), 'utf8');
    assert.ok(!config.includes(TOKEN) && !config.toLowerCase().includes('extraheader'), config);
    assert.equal(gitIn(worktree.path, 'remote', 'get-url', 'origin'), forge.gitURL('demo/hello'));

    assert.equal(await worktree.commitAll('nothing'), undefined, 'a clean tree makes no commit');
    writeFileSync(join(worktree.path, 'greeting.js'), 'export const greeting = () => "hi";\n');
    writeFileSync(join(worktree.path, 'NEW.md'), 'new\n');
    const commit = await worktree.commitAll('WT-1: change');
    assert.deepEqual(commit?.files, [
      { status: 'A', path: 'NEW.md' },
      { status: 'M', path: 'greeting.js' },
    ]);
    assert.match(commit!.patch, /^diff --git a\/NEW\.md b\/NEW\.md\n(.*\n)*\+new$/m, 'the diff of the commit');
    assert.match(commit!.patch, /^\+export const greeting = \(\) => "hi";$/m);
    assert.equal(
      gitIn(worktree.path, 'log', '-1', '--format=%an <%ae>|%cn <%ce>'),
      'Nightshift <nightshift@localhost>|Nightshift <nightshift@localhost>',
    );
    const sha = await worktree.push();
    assert.equal(await branchHead(repositoryPath(join(dir, 'forge'), 'demo/hello'), 'nightshift/WT-1'), sha);
    assert.equal(await worktree.push(), sha, 'pushing again is a no-op');
    const summary = await worktree.summary();
    assert.equal(summary.commits, 1);
    assert.match(summary.stat, /2 files changed/);
  });

  it('serializes concurrent git operations on one worktree', async () => {
    const { worktree } = await Worktree.prepare(options('WT-2'));
    const commits = await Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        writeFileSync(join(worktree.path, `file-${i}.txt`), `${i}\n`);
        return worktree.commitAll(`file ${i}`);
      }),
    );
    const made = commits.filter((c) => c !== undefined);
    assert.ok(made.length >= 1);
    assert.equal(gitIn(worktree.path, 'status', '--porcelain'), '', 'everything was committed');
    assert.equal(gitIn(worktree.path, 'rev-list', '--count', 'origin/main..HEAD'), String(made.length));
  });

  it('repairs what a killed git leaves behind: stale locks and a corrupt index', async () => {
    const { worktree } = await Worktree.prepare(options('WT-3'));
    writeFileSync(join(worktree.path, 'greeting.js'), 'changed before the kill\n');
    writeFileSync(join(worktree.path, '.git', 'index.lock'), '');
    writeFileSync(join(worktree.path, '.git', 'HEAD.lock'), '');
    const recoveries: string[] = [];
    const again = await Worktree.prepare(options('WT-3', recoveries));
    assert.equal(again.reused, true);
    assert.deepEqual(recoveries.sort(), [
      'removed stale .git/HEAD.lock left by a git process that was killed',
      'removed stale .git/index.lock left by a git process that was killed',
    ]);
    assert.ok(await again.worktree.commitAll('after the kill'), 'the uncommitted work survived and commits');

    writeFileSync(join(worktree.path, '.git', 'index'), 'garbage, as a git killed mid-write could leave');
    writeFileSync(join(worktree.path, 'greeting.js'), 'changed again\n');
    const repairs: string[] = [];
    const repaired = await Worktree.prepare(options('WT-3', repairs));
    assert.match(repairs.join('\n'), /rebuilt the index from HEAD/);
    assert.ok(await repaired.worktree.commitAll('after the corrupt index'));
    assert.equal(readFileSync(join(worktree.path, 'greeting.js'), 'utf8'), 'changed again\n');
  });

  it('clones again when HEAD is unreadable, and continues from the pushed branch', async () => {
    const first = await Worktree.prepare(options('WT-4'));
    writeFileSync(join(first.worktree.path, 'pushed.txt'), 'pushed\n');
    await first.worktree.commitAll('pushed work');
    const pushed = await first.worktree.push();
    writeFileSync(join(first.worktree.path, '.git', 'refs', 'heads', 'nightshift', 'WT-4'), `${'0'.repeat(40)}\n`);
    const recoveries: string[] = [];
    const second = await Worktree.prepare(options('WT-4', recoveries));
    assert.equal(second.reused, false);
    assert.match(recoveries.join('\n'), /HEAD was unreadable; moved it to .*repo\.broken-/);
    assert.equal(await second.worktree.head(), pushed);
    assert.ok(readdirSync(join(dir, 'WT-4')).some((name) => name.startsWith('repo.broken-')));
  });

  it('fails the story when the base branch does not exist', async () => {
    await assert.rejects(
      Worktree.prepare({ ...options('WT-5'), baseBranch: 'develop' }),
      (error: unknown) => error instanceof StoryFailure && error.reason === 'BaseBranchNotFound',
    );
    assert.equal(existsSync(join(dir, 'WT-5', 'repo')), false);
  });

  it('needs the token: the forge refuses a clone without it', async () => {
    await assert.rejects(
      Worktree.prepare({ ...options('WT-6'), token: undefined }),
      /could not read Username|401|Authentication/,
    );
  });

  /** Another story's change lands on main while this one runs: commit a file on main in the forge. */
  const landOnMain = (file: string, content: string) => {
    const scratch = mkdtempSync(join(dir, 'main-'));
    const bare = repositoryPath(join(dir, 'forge'), 'demo/hello');
    execFileSync('git', ['clone', '--quiet', bare, scratch]);
    writeFileSync(join(scratch, file), content);
    gitIn(scratch, 'add', '-A');
    gitIn(
      scratch,
      '-c',
      'user.name=Other',
      '-c',
      'user.email=other@localhost',
      'commit',
      '--quiet',
      '-m',
      `land ${file}`,
    );
    gitIn(scratch, 'push', '--quiet', 'origin', 'HEAD:main');
    return gitIn(scratch, 'rev-parse', 'HEAD');
  };

  it('rebases onto a base that moved without conflict, and pushes the rewritten branch', async () => {
    const { worktree } = await Worktree.prepare(options('WT-7'));
    assert.equal((await worktree.rebaseOntoBase()).status, 'UpToDate');
    writeFileSync(join(worktree.path, 'seven.txt'), 'mine\n');
    await worktree.commitAll('WT-7: seven');
    await worktree.push(); // pushed once before the base moved (an earlier attempt)
    const landed = landOnMain('other.txt', 'theirs\n');
    const result = await worktree.rebaseOntoBase();
    assert.equal(result.status, 'Rebased');
    assert.equal(result.onto, landed);
    assert.equal(
      gitIn(worktree.path, 'merge-base', 'HEAD', `origin/main`),
      landed,
      'the branch now starts at the new base',
    );
    assert.ok(existsSync(join(worktree.path, 'other.txt')) && existsSync(join(worktree.path, 'seven.txt')));
    const sha = await worktree.push();
    assert.equal(await branchHead(repositoryPath(join(dir, 'forge'), 'demo/hello'), 'nightshift/WT-7'), sha);
    assert.equal((await worktree.summary()).commits, 1);
  });

  it('undoes a rebase that really conflicts and names the conflicting files', async () => {
    const { worktree } = await Worktree.prepare(options('WT-8'));
    writeFileSync(join(worktree.path, 'greeting.js'), 'export const greeting = () => "mine";\n');
    const mine = await worktree.commitAll('WT-8: greeting');
    landOnMain('greeting.js', 'export const greeting = () => "theirs";\n');
    const result = await worktree.rebaseOntoBase();
    assert.equal(result.status, 'Conflict');
    assert.deepEqual(result.status === 'Conflict' && result.files, ['greeting.js']);
    assert.equal(await worktree.head(), mine!.sha, 'the branch is as it was');
    assert.equal(gitIn(worktree.path, 'status', '--porcelain'), '', 'no rebase left in progress');
    assert.equal(existsSync(join(worktree.path, '.git', 'rebase-merge')), false);
  });
});
