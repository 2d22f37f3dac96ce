// nightshift-dashboard token create|revoke|list, run as a user runs it,
// against a real database: tokens are printed once and stored hashed, read
// tokens are made on request, a revoked token no longer verifies, and bad
// input exits non-zero naming what is wrong.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createPool } from '@nightshift/operator/postgres';
import type pg from 'pg';
import { testDatabase } from '../../../hack/test/harness.ts';
import { parseToken, verifyToken } from '../src/auth/tokens.ts';
import { DASHBOARD_BIN } from './support/dashboard-process.ts';

const exec = promisify(execFile);

describe('nightshift-dashboard token create|revoke|list', function () {
  this.timeout(120_000);
  let databaseURL: string;
  let pool: pg.Pool;
  const cli = (args: string[], env: NodeJS.ProcessEnv = { DATABASE_URL: databaseURL }) =>
    exec(process.execPath, [DASHBOARD_BIN, ...args], { env: { PATH: process.env.PATH, ...env } }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  before(async function () {
    this.timeout(10 * 60_000);
    databaseURL = await testDatabase('dash_tokens');
    pool = createPool(databaseURL, { applicationName: 'test-tokens', max: 2 });
  });
  after(() => pool?.end());

  it('creates a token, prints it once and stores only its hash', async () => {
    const created = await cli(['token', 'create', 'phone']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.ok(parseToken(token), token);
    assert.deepEqual(await verifyToken(pool, token).then((i) => i && { name: i.name, scope: i.scope }), {
      name: 'phone',
      scope: 'write',
    });
    const { rows } = await pool.query('select secret_hash from dashboard_tokens where name = $1', ['phone']);
    assert.ok(!rows[0].secret_hash.toString('utf8').includes(parseToken(token)!.secret), 'the secret is not stored');
  });

  it('makes read-only tokens for watching', async () => {
    const created = await cli(['token', 'create', 'wall-screen', '--scope', 'read']);
    assert.equal(created.code, 0, created.stderr);
    assert.equal((await verifyToken(pool, created.stdout.trim()))?.scope, 'read');
  });

  it('lists the tokens without their secrets', async () => {
    const listed = await cli(['token', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^NAME\s+SCOPE\s+CREATED\s+LAST USED\s+REVOKED$/m);
    assert.match(listed.stdout, /^phone\s+write\s+\d{4}-/m);
    assert.match(listed.stdout, /^wall-screen\s+read\s+/m);
    assert.ok(!/nsd_/.test(listed.stdout), 'no token in the list');
  });

  it('revokes a token: it no longer verifies, and its name can be used again', async () => {
    const created = await cli(['token', 'create', 'laptop']);
    const token = created.stdout.trim();
    const revoked = await cli(['token', 'revoke', 'laptop']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal(await verifyToken(pool, token), undefined);
    assert.match((await cli(['token', 'list'])).stdout, /^laptop\s+write\s+\S+\s+-\s+\d{4}-/m, 'listed as revoked');
    assert.equal((await cli(['token', 'create', 'laptop'])).code, 0);
    const again = await cli(['token', 'revoke', 'nobody']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no live token named "nobody"/);
  });

  it('refuses what it cannot do, saying why', async () => {
    const twice = await cli(['token', 'create', 'phone']);
    assert.equal(twice.code, 1);
    assert.match(twice.stderr, /a token named "phone" exists already/);
    const scope = await cli(['token', 'create', 'x', '--scope', 'admin']);
    assert.equal(scope.code, 2);
    assert.match(scope.stderr, /--scope must be read or write/);
    const noDatabase = await cli(['token', 'list'], {});
    assert.equal(noDatabase.code, 78);
    assert.match(noDatabase.stderr, /DATABASE_URL: is required/);
  });
});
