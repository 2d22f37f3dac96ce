// The forge stand-in is only worth its name if it answers like GitHub: every
// API request is checked against GitHub's OpenAPI description, so a request
// the real API would reject is rejected here too — the runner's successful
// pull requests in the other tests therefore say something.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { startForge, seedDemoRepository, repositoryPath, type Forge } from '../../hack/stand-ins/forge.ts';
import { git } from '../../hack/stand-ins/repositories.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/** The HTTP status (and GitHub's message) an Octokit call ended with. */
async function status(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
  try {
    await promise;
    return { status: 200, message: '' };
  } catch (error) {
    const e = error as { status: number; response?: { data?: { message?: string } } };
    return { status: e.status, message: e.response?.data?.message ?? '' };
  }
}

describe('forge stand-in', function () {
  let dir: string;
  let forge: Forge;
  let octokit: Octokit;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'forge-test-'));
    await seedDemoRepository(dir);
    forge = await startForge({ root: dir, token: 'secret-token' });
    octokit = new Octokit({ baseUrl: forge.apiURL, auth: 'secret-token', log: quiet });
  });
  after(async () => {
    await forge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rejects a pull request without the fields GitHub requires', async () => {
    const answer = await status(
      // Not the typed route: TypeScript would refuse the missing head before GitHub could.
      octokit.request('POST /repos/demo/hello/pulls', { title: 'x', base: 'main' }),
    );
    assert.equal(answer.status, 422);
    assert.match(answer.message, /"head" wasn't supplied/);
  });

  it('rejects a field of the wrong type and a parameter outside its enum', async () => {
    const draft = await status(
      octokit.request('POST /repos/{owner}/{repo}/pulls', {
        owner: 'demo',
        repo: 'hello',
        title: 'x',
        head: 'feature',
        base: 'main',
        draft: 'yes' as unknown as boolean,
      }),
    );
    assert.equal(draft.status, 422);
    assert.match(draft.message, /For 'draft', "yes" is not a boolean/);
    const state = await status(
      octokit.request('GET /repos/{owner}/{repo}/pulls', { owner: 'demo', repo: 'hello', state: 'merged' as 'open' }),
    );
    assert.equal(state.status, 422);
    assert.match(state.message, /is not a member of \["open", "closed", "all"\]/);
  });

  it('answers 404 for what GitHub does not have, 401 without the token, 422 for a head branch that does not exist', async () => {
    assert.equal((await status(octokit.request('GET /repos/demo/hello/pullz'))).status, 404);
    assert.equal(
      (await status(octokit.request('DELETE /repos/{owner}/{repo}/pulls', { owner: 'demo', repo: 'hello' }))).status,
      404,
    );
    const anonymous = new Octokit({ baseUrl: forge.apiURL, log: quiet });
    assert.equal((await status(anonymous.rest.pulls.list({ owner: 'demo', repo: 'hello' }))).status, 401);
    const missing = await status(
      octokit.rest.pulls.create({ owner: 'demo', repo: 'hello', title: 'x', head: 'no-such-branch', base: 'main' }),
    );
    assert.equal(missing.status, 422);
    assert.equal(forge.pulls.length, 0);
    assert.deepEqual(
      forge.apiRequests.map((r) => r.status),
      [422, 422, 422, 404, 404, 401, 422],
    );
  });
});

describe('forge stand-in restarted on the same root', function () {
  let dir: string;
  let forge: Forge | undefined;
  after(async () => {
    await forge?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Pushes a branch one commit ahead of main, so a pull request from it is valid. */
  async function pushBranch(branch: string): Promise<void> {
    const work = mkdtempSync(join(tmpdir(), 'forge-branch-'));
    try {
      await git(work, ['clone', '--quiet', repositoryPath(dir, 'demo/hello'), '.']);
      await git(work, ['checkout', '--quiet', '-b', branch]);
      await git(work, [
        '-c',
        'user.name=T',
        '-c',
        'user.email=t@t',
        'commit',
        '--quiet',
        '--allow-empty',
        '-m',
        branch,
      ]);
      await git(work, ['push', '--quiet', 'origin', branch]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  it('lists the pull requests of the forge before it and numbers the next one after them', async () => {
    dir = mkdtempSync(join(tmpdir(), 'forge-restart-test-'));
    await seedDemoRepository(dir);
    await pushBranch('first');
    await pushBranch('second');
    const repo = { owner: 'demo', repo: 'hello' };

    forge = await startForge({ root: dir, token: 't' });
    let octokit = new Octokit({ baseUrl: forge.apiURL, auth: 't', log: quiet });
    const first = await octokit.rest.pulls.create({
      ...repo,
      title: 'First',
      head: 'first',
      base: 'main',
      draft: true,
    });
    assert.equal(first.data.number, 1);
    await forge.close();

    forge = await startForge({ root: dir, token: 't' });
    octokit = new Octokit({ baseUrl: forge.apiURL, auth: 't', log: quiet });
    const listed = await octokit.rest.pulls.list({ ...repo, state: 'all' });
    assert.deepEqual(
      listed.data.map((p) => ({ number: p.number, title: p.title, head: p.head.ref, draft: p.draft })),
      [{ number: 1, title: 'First', head: 'first', draft: true }],
    );
    assert.equal((await octokit.rest.pulls.get({ ...repo, pull_number: 1 })).data.title, 'First');
    const again = await status(octokit.rest.pulls.create({ ...repo, title: 'Again', head: 'first', base: 'main' }));
    assert.equal(again.status, 422, 'the restarted forge still knows first has an open pull request');
    const second = await octokit.rest.pulls.create({ ...repo, title: 'Second', head: 'second', base: 'main' });
    assert.equal(second.data.number, 2);
    assert.deepEqual(
      forge.pulls.map((p) => p.number),
      [1, 2],
    );
  });
});
