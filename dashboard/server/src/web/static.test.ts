import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { webAppRouter } from './static.ts';

describe('dashboard server: the built web app', () => {
  const root = mkdtempSync(join(tmpdir(), 'nightshift-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>app</title>');
  writeFileSync(join(root, 'assets', 'index-abc123.js'), 'console.log(1)');
  const app = express();
  app.use(webAppRouter(root)!);
  app.use((_req, res) => void res.status(401).send('api'));

  it('serves hashed assets as immutable and index.html as no-cache', async () => {
    const asset = await request(app).get('/assets/index-abc123.js');
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    const page = await request(app).get('/');
    assert.equal(page.status, 200);
    assert.equal(page.headers['cache-control'], 'no-cache');
    assert.match(page.headers['content-security-policy']!, /script-src 'self'/);
  });

  it("answers the app's own routes with index.html, a missing asset with 404, and leaves /api alone", async () => {
    const route = await request(app).get('/stories/ns/name');
    assert.equal(route.status, 200);
    assert.match(route.text, /<title>app<\/title>/);
    assert.equal((await request(app).get('/assets/gone-123.js')).status, 404);
    assert.equal((await request(app).get('/api/stories')).status, 401);
    assert.equal((await request(app).post('/')).status, 401);
  });

  it('is nothing when the app has not been built', () => {
    assert.equal(webAppRouter(join(root, 'missing')), undefined);
  });
});
