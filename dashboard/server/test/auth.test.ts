// Every route of the table denies without a valid token, a read-only token
// may not control, failed logins are rate-limited, CORS is closed unless
// configured, and the security headers are there. The app runs in memory
// (supertest) over a real database.
import assert from 'node:assert/strict';
import request from 'supertest';
import { revokeToken } from '../src/auth/tokens.ts';
import { inMemoryDashboard } from './support/in-memory.ts';

const concrete = (path: string) => path.replace(/:namespace/g, 'nowhere').replace(/:name/g, 'thing');

describe('dashboard API: authentication on every route', function () {
  this.timeout(120_000);
  let dash: Awaited<ReturnType<typeof inMemoryDashboard>>;
  let write: string;
  let read: string;
  let revoked: string;

  before(async function () {
    this.timeout(10 * 60_000);
    dash = await inMemoryDashboard();
    write = await dash.token('writer', 'write');
    read = await dash.token('reader', 'read');
    revoked = await dash.token('gone', 'write');
    await revokeToken(dash.pool, 'gone');
  });
  after(() => dash?.close());

  it('has a route table that covers the API (stories, decisions, queues, budgets, history, the WebSocket)', () => {
    assert.ok(dash.routes.length >= 25, `${dash.routes.length} routes`);
    for (const path of [
      '/api/stories',
      '/api/decisions',
      '/api/queues',
      '/api/budgets',
      '/api/timeline',
      '/api/events',
      '/api/openapi.json',
    ]) {
      assert.ok(
        dash.routes.some((r) => r.path === path),
        path,
      );
    }
  });

  it('answers 401 with a problem and WWW-Authenticate on every route without a token, with a malformed one, a wrong one and a revoked one', async () => {
    const wrong = `${write.slice(0, -4)}AAAA`;
    for (const r of dash.routes) {
      for (const [what, header] of [
        ['no token', undefined],
        ['malformed', 'Bearer not-a-token'],
        ['wrong secret', `Bearer ${wrong}`],
        ['revoked', `Bearer ${revoked}`],
        ['another scheme', `Basic ${Buffer.from(`x:${write}`).toString('base64')}`],
      ] as const) {
        const req = request(dash.app)[r.method](concrete(r.path));
        const res = await (header ? req.set('Authorization', header) : req).send(r.body ? {} : undefined);
        assert.equal(res.status, 401, `${r.method.toUpperCase()} ${r.path} (${what}) answered ${res.status}`);
        assert.match(res.headers['content-type']!, /^application\/problem\+json/);
        assert.equal(res.headers['www-authenticate'], 'Bearer realm="nightshift"');
        assert.equal(JSON.parse(res.text).status, 401);
      }
    }
  });

  it('takes no token from the URL', async () => {
    const res = await request(dash.app).get(`/api/stories?access_token=${write}&token=${write}`);
    assert.equal(res.status, 401);
  });

  it('answers 401 for paths that do not exist too, so nothing is learnt without a token', async () => {
    assert.equal((await request(dash.app).get('/api/secret-admin')).status, 401);
    assert.equal((await request(dash.app).get('/')).status, 401);
    assert.equal(
      (await request(dash.app).get('/api/secret-admin').set('Authorization', `Bearer ${write}`)).status,
      404,
    );
  });

  it('lets a read-only token read but not control (403 naming the token)', async () => {
    for (const r of dash.routes) {
      const agent = request(dash.app);
      const res = await agent[r.method](concrete(r.path))
        .set('Authorization', `Bearer ${read}`)
        .send(r.body ? {} : undefined);
      if (r.scope === 'write') {
        assert.equal(res.status, 403, `${r.method.toUpperCase()} ${r.path}`);
        assert.match(JSON.parse(res.text).detail, /"reader" is read-only/);
      } else {
        assert.ok(
          ![401, 403].includes(res.status),
          `${r.method.toUpperCase()} ${r.path} answered ${res.status} to a read token`,
        );
      }
    }
  });

  it('names the field of bad input in a 400 problem', async () => {
    const res = await request(dash.app)
      .post('/api/stories/nowhere/thing/pause')
      .set('Authorization', `Bearer ${write}`)
      .send({ mode: 'Sideways' });
    assert.equal(res.status, 400);
    const fields = JSON.parse(res.text)
      .errors.map((e: { field: string }) => e.field)
      .sort();
    assert.deepEqual(fields, ['body.mode', 'body.resourceVersion']);
    const query = await request(dash.app).get('/api/stories?limit=5000').set('Authorization', `Bearer ${write}`);
    assert.equal(JSON.parse(query.text).errors[0].field, 'query.limit');
    const json = await request(dash.app)
      .post('/api/decisions')
      .set('Authorization', `Bearer ${write}`)
      .set('Content-Type', 'application/json')
      .send('{"decisions": [');
    assert.equal(json.status, 400);
    assert.equal(JSON.parse(json.text).errors[0].field, 'body');
  });

  it('answers 404 for an unknown story and for a namespace it does not serve', async () => {
    const res = await request(dash.app).get('/api/stories/nowhere/ghost').set('Authorization', `Bearer ${write}`);
    assert.equal(res.status, 404);
    assert.match(JSON.parse(res.text).detail, /StoryRun nowhere\/ghost not found/);
    const other = await request(dash.app).get('/api/stories/kube-system/ghost').set('Authorization', `Bearer ${write}`);
    assert.equal(other.status, 404);
  });

  it('sets security headers and keeps CORS closed by default', async () => {
    const res = await request(dash.app)
      .get('/api/whoami')
      .set('Authorization', `Bearer ${read}`)
      .set('Origin', 'https://evil.example');
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), { name: 'reader', scope: 'read', namespaces: ['nowhere'] });
    assert.equal(res.headers['access-control-allow-origin'], undefined);
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.match(res.headers['content-security-policy']!, /default-src 'none'/);
    assert.ok(res.headers['strict-transport-security']);
    assert.equal(res.headers['x-powered-by'], undefined);
    const preflight = await request(dash.app)
      .options('/api/stories')
      .set('Origin', 'https://evil.example')
      .set('Access-Control-Request-Method', 'POST')
      .set('Access-Control-Request-Headers', 'authorization');
    assert.equal(preflight.headers['access-control-allow-origin'], undefined);
  });

  it('opens CORS to the configured origins only', async () => {
    const open = await inMemoryDashboard({ corsOrigins: ['https://dash.example'] });
    try {
      const ok = await request(open.app)
        .options('/api/stories')
        .set('Origin', 'https://dash.example')
        .set('Access-Control-Request-Method', 'POST');
      assert.equal(ok.status, 204);
      assert.equal(ok.headers['access-control-allow-origin'], 'https://dash.example');
      const other = await request(open.app)
        .options('/api/stories')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'POST');
      assert.equal(other.headers['access-control-allow-origin'], undefined);
    } finally {
      await open.close();
    }
  });

  it('refuses an address after too many failed logins (429 with Retry-After), even with a good token', async () => {
    const limited = await inMemoryDashboard({ failuresPerMinute: 3 });
    try {
      const good = await limited.token('good', 'read');
      for (let i = 0; i < 3; i++)
        assert.equal((await request(limited.app).get('/api/stories').set('Authorization', 'Bearer nope')).status, 401);
      const refused = await request(limited.app).get('/api/stories').set('Authorization', `Bearer ${good}`);
      assert.equal(refused.status, 429);
      assert.ok(Number(refused.headers['retry-after']) >= 1);
      assert.match(JSON.parse(refused.text).detail, /too many failed logins/);
    } finally {
      await limited.close();
    }
  });

  it('serves its OpenAPI 3.1 document, generated from the route table', async () => {
    const res = await request(dash.app).get('/api/openapi.json').set('Authorization', `Bearer ${read}`);
    assert.equal(res.status, 200);
    const doc = JSON.parse(res.text);
    assert.equal(doc.openapi, '3.1.0');
    for (const r of dash.routes) {
      const path = r.path.replace(/:([A-Za-z]+)/g, '{$1}');
      assert.ok(doc.paths[path]?.[r.method], `${r.method} ${path} documented`);
      assert.ok(doc.paths[path][r.method].responses['401'], `${r.method} ${path} documents 401`);
    }
    assert.ok(doc.components.schemas.StorySummary && doc.components.schemas.Problem);
  });
});
