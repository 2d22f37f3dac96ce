// /api/events: every change with a seq from Postgres, replay after a
// reconnect and after a dashboard restart (no gap, no duplicate), filters,
// heartbeats, slow consumers dropped, and no token → no socket. Events are
// written into execution_events the way the operator and runners write them,
// from several connections with transactions committing out of order.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { createPool } from '@nightshift/operator/postgres';
import type pg from 'pg';
import {
  eventually,
  installCRDs,
  localCluster,
  testDatabase,
  testNamespace,
  type LocalCluster,
} from '../../../hack/test/harness.ts';
import { createToken } from '../src/auth/tokens.ts';
import { DashboardProcess } from './support/dashboard-process.ts';
import { Follower } from './support/follower.ts';

/** Writes count ToolCall events for a story from `writers` connections; some in transactions that commit late. */
async function produce(pool: pg.Pool, storyUid: string, count: number, writers = 4, pauseMs = () => Math.random() * 8) {
  let next = 0;
  await Promise.all(
    Array.from({ length: writers }, async () => {
      const client = await pool.connect();
      try {
        while (next < count) {
          const i = next++;
          const late = i % 7 === 0; // holds its id while others commit after it
          if (late) await client.query('begin');
          await client.query(
            `insert into execution_events (story_uid, source, type, message, data) values ($1, 'runner', 'ToolCall', $2, $3)`,
            [storyUid, `call ${i}`, JSON.stringify({ tool: 'read_file', ok: true, durationMs: i })],
          );
          if (late) {
            await sleep(pauseMs() * 3);
            await client.query('commit');
          }
          await sleep(pauseMs());
        }
      } finally {
        client.release();
      }
    }),
  );
}

const callsOf = (follower: Follower, storyUid: string) =>
  follower.changes.filter((c) => c.kind === 'event' && c.storyUid === storyUid).map((c) => c.event!.message!);

function assertOrderedOnce(seqs: number[]) {
  for (let i = 1; i < seqs.length; i++) assert.ok(seqs[i]! > seqs[i - 1]!, `seq ${seqs[i]} after ${seqs[i - 1]}`);
}

describe('dashboard API: the WebSocket of changes', function () {
  this.timeout(5 * 60_000);
  let cluster: LocalCluster;
  let namespace: string;
  let pool: pg.Pool;
  let dashboard: DashboardProcess;
  let token: string;

  before(async function () {
    this.timeout(20 * 60_000);
    cluster = await localCluster();
    await installCRDs();
    namespace = await testNamespace('dash-events');
    const databaseURL = await testDatabase('dash_events');
    pool = createPool(databaseURL, { applicationName: 'test-events', max: 8 });
    dashboard = await DashboardProcess.startReady({
      kubeconfig: cluster.kubeconfigPath,
      databaseURL,
      namespace,
      env: { NIGHTSHIFT_DASHBOARD_HEARTBEAT_SECONDS: '1', NIGHTSHIFT_DASHBOARD_MAX_BUFFERED_BYTES: String(256 * 1024) },
    });
    token = dashboard.firstToken()!;
  });
  after(async () => {
    await dashboard?.stop();
    await pool?.end();
  });

  const storyRun = (name: string) => ({
    apiVersion: 'nightshift.dev/v1alpha1',
    kind: 'StoryRun',
    metadata: { name, namespace },
    spec: {
      story: { id: name.toUpperCase(), title: `story ${name}` },
      repository: { url: 'http://127.0.0.1:9/x.git' },
      queueRef: 'nightly',
    },
  });

  it('refuses a socket without a valid token, with the token in the URL, or at another path', async () => {
    const open = (path: string, protocols: string[]) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${dashboard.url.replace('http', 'ws')}${path}`, protocols);
        ws.once('unexpected-response', (_req, res) => resolve(res.statusCode!));
        ws.once('open', () => {
          ws.close();
          resolve(101);
        });
        ws.once('error', reject);
      });
    assert.equal(await open('/api/events', ['nightshift.v1']), 401);
    assert.equal(
      await open('/api/events', [
        'nightshift.v1',
        'nightshift.bearer.nsd_000000000000_0000000000000000000000000000000000000000000',
      ]),
      401,
    );
    assert.equal(await open(`/api/events?token=${token}&access_token=${token}`, ['nightshift.v1']), 401);
    assert.equal(await open('/api/other', ['nightshift.v1', `nightshift.bearer.${token}`]), 404);
    assert.equal(await open('/api/events', [`nightshift.bearer.${token}`]), 400);
    const follower = await Follower.connect(dashboard.url, token);
    assert.equal(follower.socket.protocol, 'nightshift.v1', 'the token is never echoed back as the protocol');
    follower.close();
    const rest = await fetch(`${dashboard.url}/api/events`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(rest.status, 426);
  });

  it("sends a StoryRun's spec edit and status as changes with increasing seqs, filtered to one story", async () => {
    const [a, b] = ['watched', 'other'];
    const all = await Follower.connect(dashboard.url, token, {});
    const one = await Follower.connect(dashboard.url, token, { filter: { story: { namespace, name: a } } });
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [storyRun(a), storyRun(b)] }),
    });
    await cluster.kubectl(['patch', 'sr', a, '-n', namespace, '--type=merge', '-p', '{"spec":{"priority":7}}']);
    await cluster.kubectl(['patch', 'sr', b, '-n', namespace, '--type=merge', '-p', '{"spec":{"priority":3}}']);
    const edited = await one.waitFor('the priority edit of the watched story', () =>
      one.changes.find((c) => c.kind === 'StoryRun' && (c.object as { priority?: number }).priority === 7),
    );
    assert.equal(edited.name, a);
    assert.equal(edited.queue, 'nightly');
    await all.waitFor('the edit of the other story', () =>
      all.changes.find((c) => c.name === b && (c.object as { priority?: number }).priority === 3),
    );
    assert.ok(
      one.changes.every((c) => c.storyName === a),
      'only the watched story',
    );
    assertOrderedOnce(all.changes.map((c) => c.seq));
    const seen = all.messages.length;
    const heartbeat = await all.waitFor('a heartbeat', () =>
      all.messages.slice(seen).find((m) => m.type === 'heartbeat'),
    );
    assert.ok(heartbeat.type === 'heartbeat' && heartbeat.seq >= edited.seq, 'heartbeats carry the head seq');
    all.close();
    one.close();
  });

  it('a client that reconnects with its last seq while 500 events are written gets every one, once, in order', async () => {
    const uid = randomUUID();
    const first = await Follower.connect(dashboard.url, token, { filter: { kinds: ['event'] } });
    const writing = produce(pool, uid, 500);
    await first.waitFor('some of the events', () => callsOf(first, uid).length >= 120 || undefined);
    first.terminate(); // the connection breaks mid-stream
    const seen = first.changes.filter((c) => c.storyUid === uid);
    await sleep(300); // events keep coming while it is away
    const second = await Follower.connect(dashboard.url, token, {
      after: seen.at(-1)!.seq,
      filter: { kinds: ['event'] },
    });
    await writing;
    await second.waitFor('all 500', () => callsOf(second, uid).length + seen.length >= 500 || undefined);
    const all = [...seen, ...second.changes.filter((c) => c.storyUid === uid)];
    assert.equal(all.length, 500, 'none missed, none twice');
    assert.equal(new Set(all.map((c) => c.event!.message)).size, 500);
    assertOrderedOnce(all.map((c) => c.seq));
    assert.ok(
      second.messages.some((m) => m.type === 'caughtUp'),
      'the replay ends with caughtUp, then live',
    );
    second.close();
  });

  it('also across a dashboard restart: killed mid-stream (SIGKILL), started again, the client resumes from its seq', async () => {
    const uid = randomUUID();
    const first = await Follower.connect(dashboard.url, token, { filter: { kinds: ['event'] } });
    const writing = produce(pool, uid, 500, 4, () => 4 + Math.random() * 8);
    await first.waitFor('some of the events', () => callsOf(first, uid).length >= 100 || undefined);
    dashboard.kill('SIGKILL');
    await dashboard.waitForExit();
    await first.waitFor('the socket to close', () => first.closed || undefined);
    const seen = first.changes.filter((c) => c.storyUid === uid);
    await dashboard.restart();
    const second = await Follower.connect(dashboard.url, token, {
      after: seen.at(-1)!.seq,
      filter: { kinds: ['event'] },
    });
    await writing;
    await second.waitFor('all 500', () => callsOf(second, uid).length + seen.length >= 500 || undefined);
    const all = [...seen, ...second.changes.filter((c) => c.storyUid === uid)];
    assert.equal(all.length, 500, 'none missed, none twice');
    assert.equal(new Set(all.map((c) => c.event!.message)).size, 500);
    assertOrderedOnce(all.map((c) => c.seq));
    assert.equal(dashboard.logs().match(/the first token/g)?.length, 1, 'the restart printed no new token');
    second.close();
  });

  it('records a deletion that happened while no dashboard ran, and nothing for objects that did not change', async () => {
    await cluster.kubectl(['apply', '-f', '-'], { input: JSON.stringify(storyRun('doomed')) });
    const before = await Follower.connect(dashboard.url, token, { filter: { kinds: ['StoryRun'] } });
    await cluster.kubectl(['patch', 'sr', 'doomed', '-n', namespace, '--type=merge', '-p', '{"spec":{"priority":1}}']);
    const last = await before.waitFor('the edit', () =>
      before.changes.find((c) => c.name === 'doomed' && (c.object as { priority: number }).priority === 1),
    );
    before.close();
    await dashboard.stop();
    await cluster.kubectl(['delete', 'sr', 'doomed', '-n', namespace, '--wait=true']);
    await dashboard.restart();
    const after = await Follower.connect(dashboard.url, token, { after: last.seq, filter: { kinds: ['StoryRun'] } });
    const deleted = await after.waitFor('the deletion', () =>
      after.changes.find((c) => c.name === 'doomed' && c.op === 'delete'),
    );
    assert.equal(deleted.object, null);
    await after.waitFor('caught up', () => after.messages.some((m) => m.type === 'caughtUp') || undefined);
    await sleep(1_000);
    const upserts = after.changes.filter((c) => c.op === 'upsert' && ['watched', 'other'].includes(c.name ?? ''));
    assert.deepEqual(upserts, [], 'the relist after the restart recorded no change of unchanged stories');
    after.close();
  });

  it('drops a client that does not read, without holding back one that does', async () => {
    const uid = randomUUID();
    const reader = await Follower.connect(dashboard.url, token, { filter: { kinds: ['event'] } });
    const stalled = await Follower.connect(dashboard.url, token, { filter: { kinds: ['event'] } });
    (stalled.socket as unknown as { _socket: { pause(): void } })._socket.pause(); // never reads again
    // Far more than the kernel's socket buffers hold, so the server's own buffer for the stalled client grows.
    await pool.query(
      `insert into execution_events (story_uid, source, type, message, data)
       select $1, 'runner', 'ToolCall', 'call ' || i, jsonb_build_object('tool', 'read_file', 'ok', true, 'durationMs', i, 'note', repeat('x', 5000))
         from generate_series(0, 2499) as i`,
      [uid],
    );
    await reader.waitFor('every event at the reader', () => callsOf(reader, uid).length >= 2500 || undefined);
    // The burst is far bigger than the buffer limit: the reader fell behind and caught up from the log — each once, in order.
    assert.deepEqual(
      callsOf(reader, uid),
      Array.from({ length: 2500 }, (_, i) => `call ${i}`),
    );
    assertOrderedOnce(reader.changes.map((c) => c.seq));
    const metrics = await eventually('the drop counted', async () => {
      const text = await (await fetch(`http://127.0.0.1:${dashboard.probePort}/metrics`)).text();
      return /^nightshift_dashboard_websocket_dropped_total [1-9]/m.test(text) ? text : undefined;
    });
    assert.match(metrics, /nightshift_dashboard_websocket_clients/);
    assert.ok(callsOf(stalled, uid).length < 2500, 'the stalled client did not get them all');
    reader.close();
    stalled.terminate();
  });

  it('answers a subscription it cannot read with an error naming the field', async () => {
    const follower = await Follower.connect(dashboard.url, token, undefined);
    follower.socket.send(JSON.stringify({ type: 'subscribe', after: -1 }));
    const error = await follower.waitFor('an error', () => follower.messages.find((m) => m.type === 'error'));
    assert.ok(error.type === 'error' && /^after: /.test(error.detail), JSON.stringify(error));
    follower.close();
  });

  it('takes read-only tokens for watching', async () => {
    const { token: reader } = await createToken(pool, { name: 'watcher', scope: 'read', createdBy: 'test' });
    const follower = await Follower.connect(dashboard.url, reader, {});
    await follower.waitFor('subscribed', () => follower.messages.find((m) => m.type === 'subscribed'));
    follower.close();
  });
});
