// Benchmark: the dashboard API server. Prints numbers, asserts nothing, each
// with a baseline measured in the same run on the same machine:
//   - event committed → received by 50 WebSocket clients (from the moment
//     its COMMIT is sent), against a raw LISTEN client getting a NOTIFY from
//     a commit timed the same way (the floor Postgres itself sets);
//   - a page of the story list with 10,000 StoryRuns, against the server's
//     own 401 (no token: the same HTTP stack, no work) and /api/whoami (auth,
//     no data);
//   - the server's RSS idle, with 10,000 stories and with 50 clients.
// No operator runs: the StoryRuns stay as created (nothing schedules pods).
//
//   node hack/bench/dashboard.ts [--stories 10000] [--clients 50] [--events 200] [--requests 300]
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import pg from 'pg';
import { createPool } from '@nightshift/operator/postgres';
import { DashboardProcess } from '../../dashboard/server/test/support/dashboard-process.ts';
import { Follower } from '../../dashboard/server/test/support/follower.ts';
import {
  eventually,
  installCRDs,
  localCluster,
  teardownHarness,
  testDatabase,
  testNamespace,
} from '../test/harness.ts';

const { values } = parseArgs({
  options: {
    stories: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    events: { type: 'string', default: '200' },
    requests: { type: 'string', default: '300' },
    concurrency: { type: 'string', default: '16' },
  },
});
const STORIES = Number(values.stories);
const CLIENTS = Number(values.clients);
const EVENTS = Number(values.events);
const REQUESTS = Number(values.requests);
const CONCURRENCY = Number(values.concurrency);

const log = (message: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}
const ms = (v: number) => `${v.toFixed(1)} ms`;
const spread = (samples: number[]) => `p50 ${ms(percentile(samples, 50))}, p99 ${ms(percentile(samples, 99))}`;

function rssMiB(pid: number): string {
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return `${(kb / 1024).toFixed(1)} MiB`;
}

async function inParallel(count: number, concurrency: number, work: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await work(next++);
    }),
  );
}

async function timed(count: number, request: () => Promise<Response>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await request();
    await response.arrayBuffer();
    samples.push(performance.now() - started);
  }
  return samples;
}

async function main() {
  const cluster = await localCluster();
  await installCRDs();
  const namespace = await testNamespace('bench-dash');
  const databaseURL = await testDatabase('bench_dash');
  const pool = createPool(databaseURL, { applicationName: 'bench-dashboard', max: 4 });
  const dashboard = await DashboardProcess.startReady({
    kubeconfig: cluster.kubeconfigPath,
    databaseURL,
    namespace,
    env: { NIGHTSHIFT_LOG_LEVEL: 'warn', NIGHTSHIFT_DASHBOARD_AUTH_FAILURES: '1000000' },
  });
  const token = dashboard.firstToken()!;
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const results: [string, string][] = [];
  const result = (what: string, value: string) => {
    results.push([what, value]);
    log(`${what}: ${value}`);
  };
  result('dashboard RSS idle', rssMiB(dashboard.pid!));

  // 1. Event committed → received: the raw NOTIFY floor, then 50 WebSocket clients.
  const listener = new pg.Client({ connectionString: databaseURL });
  await listener.connect();
  await listener.query('LISTEN bench_floor');
  const floor: number[] = [];
  let wake: ((t: number) => void) | undefined;
  listener.on('notification', () => wake?.(performance.now()));
  for (let i = 0; i < EVENTS; i++) {
    const got = new Promise<number>((resolve) => (wake = resolve));
    const client = await pool.connect();
    try {
      await client.query('begin');
      await client.query(`select pg_notify('bench_floor', $1)`, [String(i)]);
      const committing = performance.now();
      await client.query('commit');
      floor.push((await got) - committing);
    } finally {
      client.release();
    }
    await sleep(10);
  }
  await listener.end();
  result('baseline: commit → raw LISTEN client (NOTIFY)', spread(floor));

  const followers = await Promise.all(
    Array.from({ length: CLIENTS }, () => Follower.connect(dashboard.url, token, { filter: { kinds: ['event'] } })),
  );
  await Promise.all(
    followers.map((f) => f.waitFor('subscribed', () => f.messages.some((m) => m.type === 'subscribed'))),
  );
  const uid = randomUUID();
  const latencies: number[] = [];
  const arrivals = new Map<string, number[]>();
  for (const follower of followers) {
    follower.socket.on('message', (data) => {
      const text = data.toString();
      const match = /"message":"bench (\d+)"/.exec(text);
      if (match) arrivals.set(match[1]!, [...(arrivals.get(match[1]!) ?? []), performance.now()]);
    });
  }
  for (let i = 0; i < EVENTS; i++) {
    const client = await pool.connect();
    let committing: number;
    try {
      await client.query('begin');
      await client.query(
        `insert into execution_events (story_uid, source, type, message, data) values ($1, 'runner', 'ToolCall', $2, $3)`,
        [uid, `bench ${i}`, JSON.stringify({ tool: 'read_file', ok: true, durationMs: 1 })],
      );
      committing = performance.now(); // the event enters the change log at commit (ADR 0005)
      await client.query('commit');
    } finally {
      client.release();
    }
    await eventually(`event ${i} at every client`, () => (arrivals.get(String(i))?.length ?? 0) >= CLIENTS, {
      timeoutMs: 30_000,
      intervalMs: 1,
    });
    for (const at of arrivals.get(String(i))!) latencies.push(at - committing);
    await sleep(10);
  }
  result(
    `event committed → received by each of ${CLIENTS} WebSocket clients`,
    `${spread(latencies)} (${latencies.length} deliveries)`,
  );
  result(`dashboard RSS with ${CLIENTS} clients`, rssMiB(dashboard.pid!));
  for (const follower of followers) follower.close();

  // 2. 10,000 stories: created, recorded, then a page of the list.
  log(`creating ${STORIES} StoryRuns (${CONCURRENCY} in flight)`);
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const started = performance.now();
  await inParallel(STORIES, CONCURRENCY, (i) =>
    custom.createNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace,
      plural: 'storyruns',
      body: {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'StoryRun',
        metadata: { name: `s${i}` },
        spec: {
          story: { id: `S-${i}`, title: `story number ${i}` },
          repository: { url: 'http://127.0.0.1:9/none.git' },
          queueRef: i % 2 ? 'odd' : 'even',
        },
      },
    }),
  );
  const created = (performance.now() - started) / 1000;
  await eventually(
    `${STORIES} stories in the change log`,
    async () =>
      Number(
        (
          await pool.query(`select count(*)::int as n from resource_state where kind = 'StoryRun' and namespace = $1`, [
            namespace,
          ])
        ).rows[0].n,
      ) >= STORIES,
    { timeoutMs: 30 * 60_000, intervalMs: 500 },
  );
  const recorded = (performance.now() - started) / 1000;
  result(`${STORIES} StoryRuns created`, `${created.toFixed(1)} s (${(STORIES / created).toFixed(0)}/s)`);
  result(`… all in the dashboard's change log`, `${recorded.toFixed(1)} s after the first create`);
  await sleep(3_000);
  result(`dashboard RSS with ${STORIES} stories`, rssMiB(dashboard.pid!));

  const url = (path: string) => `${dashboard.url}${path}`;
  result(
    'baseline: GET /api/stories without a token (401)',
    spread(await timed(REQUESTS, () => fetch(url('/api/stories')))),
  );
  result(
    'baseline: GET /api/whoami (auth, no data)',
    spread(await timed(REQUESTS, () => fetch(url('/api/whoami'), auth))),
  );
  result(
    `GET /api/stories, first page of 50 of ${STORIES}`,
    spread(await timed(REQUESTS, () => fetch(url(`/api/stories?namespace=${namespace}`), auth))),
  );
  const middle = (await (await fetch(url(`/api/stories?namespace=${namespace}&limit=500`), auth)).json()) as {
    nextCursor: string;
  };
  result(
    `GET /api/stories, a page after a cursor`,
    spread(
      await timed(REQUESTS, () => fetch(url(`/api/stories?namespace=${namespace}&cursor=${middle.nextCursor}`), auth)),
    ),
  );
  result(
    `GET /api/stories, filtered (queue and text)`,
    spread(
      await timed(REQUESTS, () => fetch(url(`/api/stories?namespace=${namespace}&queue=odd&q=number%2099`), auth)),
    ),
  );
  result(`dashboard RSS after the list requests`, rssMiB(dashboard.pid!));

  console.log(
    '\ndashboard benchmark (local cluster, 2 cores; Postgres, API server, dashboard and clients on one machine)',
  );
  for (const [what, value] of results) console.log(`  ${what.padEnd(62)} ${value}`);

  await dashboard.stop();
  await pool.end();
  log('deleting the bench namespace');
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=true', '--timeout=30m']);
  await teardownHarness();
}

main().catch((error) => {
  console.error(`dashboard benchmark failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
