// Benchmark: the dashboard web app in Debian's Chromium against the real
// dashboard server (no operator: the StoryRuns stay as written). Prints, and
// asserts nothing:
//   - time to the first rendered story card on Now with 1,000 stories (from
//     navigation start, the page's own clock), and to every card of the list;
//   - the longest frame while scrolling the Timeline of 10,000 events (1,000
//     lanes), from Chromium's performance timeline (long-animation-frame
//     entries) and from requestAnimationFrame gaps.
//
//   node hack/bench/web.ts [--stories 1000] [--events-per-story 10]
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import { RestClient } from '@nightshift/operator/kube';
import { createPool } from '@nightshift/operator/postgres';
import { DashboardProcess } from '../../dashboard/server/test/support/dashboard-process.ts';
import { launchChromium, openContext } from '../../dashboard/web/test/support/browser.ts';
import {
  eventually,
  installCRDs,
  localCluster,
  REPO_ROOT,
  teardownHarness,
  testDatabase,
  testNamespace,
} from '../test/harness.ts';
import { inParallel, log } from './support/measure.ts';

const { values } = parseArgs({
  options: {
    stories: { type: 'string', default: '1000' },
    'events-per-story': { type: 'string', default: '10' },
    concurrency: { type: 'string', default: '16' },
  },
});
const STORIES = Number(values.stories);
const EVENTS_PER_STORY = Number(values['events-per-story']);
const CONCURRENCY = Number(values.concurrency);

async function main() {
  execFileSync('bash', ['hack/lib/build-web.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
  const cluster = await localCluster();
  await installCRDs();
  const namespace = await testNamespace('bench-web');
  const databaseURL = await testDatabase('bench_web');
  const pool = createPool(databaseURL, { applicationName: 'bench-web', max: 4 });
  const dashboard = await DashboardProcess.startReady({
    kubeconfig: cluster.kubeconfigPath,
    databaseURL,
    namespace,
    env: { NIGHTSHIFT_LOG_LEVEL: 'warn' },
  });
  const token = dashboard.firstToken()!;
  const custom = cluster.kc.makeApiClient(k8s.CustomObjectsApi);
  const rest = new RestClient(cluster.kc, { fieldManager: 'bench-web' });

  log(`creating ${STORIES} StoryRuns, each Running (status written as the operator would)`);
  const uids: string[] = new Array(STORIES);
  const startedAt = new Date(Date.now() - 3_600_000).toISOString();
  await inParallel(STORIES, CONCURRENCY, async (i) => {
    const name = `bench-${String(i).padStart(5, '0')}`;
    const created = (await custom.createNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace,
      plural: 'storyruns',
      body: {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'StoryRun',
        metadata: { name },
        spec: {
          story: { id: name.toUpperCase(), title: `Bench story ${i}`, description: 'benchmark' },
          repository: { url: 'https://example.invalid/bench.git' },
          queueRef: 'parked',
          maxCostUSD: 5,
        },
      },
    })) as { metadata: { uid: string } };
    uids[i] = created.metadata.uid;
    await rest.request('PATCH', `/apis/nightshift.dev/v1alpha1/namespaces/${namespace}/storyruns/${name}/status`, {
      contentType: 'application/merge-patch+json',
      body: { status: { phase: 'Running', step: 'implement', attempt: 1, costUSD: (i % 50) / 10, startedAt } },
    });
  });
  await eventually(
    `${STORIES} Running stories in the dashboard`,
    async () => {
      const r = await fetch(`${dashboard.url}/api/stories?limit=500&phase=Running`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      const body = (await r.json()) as { items: unknown[]; nextCursor: string | null };
      return (body.items.length === 500 && body.nextCursor !== null) || STORIES < 500 || undefined;
    },
    { timeoutMs: 300_000, intervalMs: 1000 },
  );

  log(`writing ${STORIES * EVENTS_PER_STORY} step events`);
  await pool.query(
    `insert into execution_events (story_uid, occurred_at, source, type, step, data)
     select uid::uuid, now() - interval '20 hours' + l * interval '1 minute' + e * interval '5 seconds',
            'runner', case when e % 2 = 0 then 'StepStarted' else 'StepFinished' end, 'implement',
            jsonb_build_object('node', 'implement', 'visit', e / 2 + 1, 'attempt', 1, 'durationMs', 5000)
     from unnest($1::text[]) with ordinality as u(uid, l), generate_series(0, $2::int - 1) e`,
    [uids, EVENTS_PER_STORY],
  );

  const browser = await launchChromium();
  const results: [string, string][] = [];
  const result = (what: string, value: string) => {
    results.push([what, value]);
    log(`${what}: ${value}`);
  };
  for (const size of ['phone', 'desktop'] as const) {
    const context = await openContext(browser, size, { token });
    const page = await context.newPage();
    // Warm the HTTP cache once (the assets are immutable), as a returning visitor has it.
    await page.goto(`${dashboard.url}/settings`);
    await page.getByRole('heading', { name: 'Settings' }).waitFor();
    const samples: number[] = [];
    let all = 0;
    for (let run = 0; run < 3; run++) {
      await page.goto(`${dashboard.url}/`);
      await page.locator('article[data-story]').first().waitFor({ timeout: 120_000 });
      samples.push((await page.evaluate('performance.now()')) as number);
      all = await page.locator('article[data-story]').count();
    }
    result(
      `${size}: first story card on Now (${STORIES} stories, ${all} cards), median of 3`,
      `${samples.sort((a, b) => a - b)[1]!.toFixed(0)} ms`,
    );

    await page.goto(`${dashboard.url}/timeline`);
    const scroller = page.getByTestId('timeline-scroller');
    await scroller.waitFor({ timeout: 120_000 });
    const lanes = await page.getByText(/^\d+ stories/).textContent();
    await page.evaluate(`(() => {
      window.__frames = { longest: 0, loaf: 0, last: performance.now(), run: true };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) window.__frames.loaf = Math.max(window.__frames.loaf, e.duration);
      }).observe({ type: 'long-animation-frame' });
      const tick = (t) => {
        const f = window.__frames;
        f.longest = Math.max(f.longest, t - f.last);
        f.last = t;
        if (f.run) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    })()`);
    await scroller.hover();
    const started = Date.now();
    for (let i = 0; i < 120; i++) {
      await page.mouse.wheel(0, 400);
      await page.waitForTimeout(16);
    }
    const seconds = (Date.now() - started) / 1000;
    const frames = (await page.evaluate(`(() => { window.__frames.run = false; return window.__frames; })()`)) as {
      longest: number;
      loaf: number;
    };
    result(
      `${size}: longest frame scrolling the Timeline (${lanes}; ${STORIES * EVENTS_PER_STORY} events), ${seconds.toFixed(1)} s of scrolling`,
      `${frames.longest.toFixed(0)} ms between frames; ${frames.loaf ? `longest long animation frame ${frames.loaf.toFixed(0)} ms` : 'no long animation frame (≥ 50 ms)'}`,
    );
    await context.close();
  }
  await browser.close();

  console.log('\nweb benchmark (Debian Chromium headless, local cluster, 2 cores; everything on one machine)');
  for (const [what, value] of results) console.log(`  ${what.padEnd(100)} ${value}`);

  await dashboard.stop();
  await pool.end();
  log('deleting the bench namespace');
  await cluster.kubectl(['delete', 'namespace', namespace, '--wait=true', '--timeout=30m']);
  await teardownHarness();
}

main().catch((error) => {
  console.error(`web benchmark failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
