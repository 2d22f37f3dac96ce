// The forge stand-in is only worth its name if it answers like GitHub: every
// API request is checked against GitHub's OpenAPI description, so a request
// the real API would reject is rejected here too — the runner's successful
// pull requests in the other tests therefore say something.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Octokit } from '@octokit/rest';
import { startForge, seedDemoRepository, type Forge } from '../../hack/stand-ins/forge.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

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

  async function status(promise: Promise<unknown>): Promise<{ status: number; message: string }> {
    try {
      await promise;
      return { status: 200, message: '' };
    } catch (error) {
      const e = error as { status: number; response?: { data?: { message?: string } } };
      return { status: e.status, message: e.response?.data?.message ?? '' };
    }
  }

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
