// The web app in Chromium against the real dashboard server, the real
// operator, the local cluster and Postgres: log in, answer decisions (one,
// and three in a batch) and watch the stories go on live, pause and abort
// with their confirmations, and a screenshot plus an axe-core check of every
// page at phone and desktop size.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually, REPO_ROOT } from '../../../hack/test/harness.ts';
import { OperatorProcess } from '../../../operator/test/support/operator-process.ts';
import {
  createStoryRun,
  getStoryRun,
  sampleStoryRun,
  storyEnvironment,
  storyPods,
  waitForPhase,
  type StoryEnvironment,
} from '../../../operator/test/support/story-environment.ts';
import { apiClient, DashboardProcess } from '../../server/test/support/dashboard-process.ts';
import {
  describeViolations,
  launchChromium,
  openContext,
  screenshot,
  seriousViolations,
  type Size,
} from './support/browser.ts';

const fence = '```';
const slow = (step: string, seconds: number) => `${fence}nightshift\nslow: ${step} ${seconds}s attempt=1\n${fence}`;
const question = (topic: string) => `
${fence}ask
question: Which greeting style should greeting() use for ${topic}?
options: casual, formal
recommendation: casual
context: Casual says "Hello, Ada!" (what the tests expect).
${fence}
`;

describe('web: the dashboard in a browser against the real server and operator', function () {
  this.timeout(5 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  let dashboard: DashboardProcess;
  let browser: Browser;
  let token: string;
  let api: ReturnType<typeof apiClient>;
  const contexts: BrowserContext[] = [];
  const diagnostics = () => `--- operator ---\n${operator.tail(20)}\n--- dashboard ---\n${dashboard.tail(20)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    execFileSync('bash', ['hack/lib/build-web.sh'], { cwd: REPO_ROOT, stdio: 'inherit' });
    env = await storyEnvironment('web');
    [operator, dashboard, browser] = await Promise.all([
      OperatorProcess.startReady({
        kubeconfig: env.cluster.kubeconfigPath,
        databaseURL: env.databaseURL,
        namespace: env.namespace,
      }),
      DashboardProcess.startReady({
        kubeconfig: env.cluster.kubeconfigPath,
        databaseURL: env.databaseURL,
        namespace: env.namespace,
      }),
      launchChromium(),
    ]);
    token = dashboard.firstToken()!;
    assert.ok(token, `the first start printed a token:\n${dashboard.logs()}`);
    api = apiClient(dashboard.url, token);
  });
  after(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await dashboard?.stop();
    await operator?.stop();
    await env?.close();
  });

  let lastPage: Page | undefined;
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && lastPage && !lastPage.isClosed()) {
      await screenshot(lastPage, `failed-${this.currentTest.title.slice(0, 40).replace(/\W+/g, '-')}`).catch(() => {});
    }
  });

  const open = async (size: Size, options: { token?: string; colorScheme?: 'light' | 'dark'; axe?: boolean } = {}) => {
    const context = await openContext(browser, size, options);
    contexts.push(context);
    const page = await context.newPage();
    lastPage = page;
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    return { page, errors };
  };
  const live = (page: Page) => page.locator('[data-state="live"]').waitFor();
  const card = (page: Page, name: string, phase: string) =>
    page.locator(`article[data-story="${name}"][data-phase="${phase}"]`);

  it('logs in with the token at phone size and shows Now, live', async () => {
    const { page, errors } = await open('phone');
    await page.goto(dashboard.url);
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Token').fill('nsd_wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Now', level: 1 }).waitFor();
    await live(page);
    assert.deepEqual(errors, []);
  });

  it('at phone size, a decision answered on Decisions resumes the story: its card goes Running, then Succeeded, live', async () => {
    await createStoryRun(env, sampleStoryRun(env, 'asks-one', { extraDescription: question('one') }));
    const { page, errors } = await open('phone', { token });
    await page.goto(dashboard.url);
    await live(page);
    await card(page, 'asks-one', 'WaitingForHuman').waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: /Decisions/ }).click();
    await page.getByRole('button', { name: 'Answer casual for asks-one' }).click();
    // Back on Now without a reload: only the WebSocket can move the card.
    await page.getByRole('tab', { name: 'Now' }).click();
    // Every phase the card shows, in order, until Succeeded (in the page, so none is missed between polls).
    const seen = (await page.evaluate(`new Promise((resolve) => {
      const phases = [];
      const observe = () => {
        const phase = document.querySelector('article[data-story="asks-one"]')?.getAttribute('data-phase');
        if (phase && phases.at(-1) !== phase) phases.push(phase);
        if (phase === 'Succeeded') resolve(phases);
      };
      observe();
      new MutationObserver(observe).observe(document.body, { subtree: true, attributes: true, childList: true });
    })`)) as string[];
    assert.ok(seen.includes('Running'), `the card went Running: ${seen.join(' → ')}`);
    assert.equal(seen.at(-1), 'Succeeded');
    const sr = await getStoryRun(env, 'asks-one');
    assert.deepEqual(
      sr.spec.decisions.map((d) => d.choice),
      ['casual'],
    );
    assert.deepEqual(errors, []);
  });

  it('batch-decides three at phone size: one answer for all, each story resumes', async () => {
    const names = ['batch-a', 'batch-b', 'batch-c'];
    for (const name of names)
      await createStoryRun(env, sampleStoryRun(env, name, { extraDescription: question(name) }));
    for (const name of names) await waitForPhase(env, name, 'WaitingForHuman', { diagnostics, timeoutMs: 180_000 });
    const { page, errors } = await open('phone', { token });
    await page.goto(`${dashboard.url}/decisions`);
    await live(page);
    for (const name of names) await page.locator(`article[data-decision="${name}"]`).waitFor();
    await screenshot(page, 'phone-decisions-batch');
    for (const name of names) {
      await page.getByRole('checkbox', { name: new RegExp(`^Select: .*\\(${name}\\)$`) }).check();
    }
    await page.getByRole('button', { name: 'Answer 3 selected' }).click();
    for (const name of names) {
      await page.locator(`article[data-decision="${name}"]`).waitFor({ state: 'detached', timeout: 60_000 });
    }
    for (const name of names) {
      const sr = await getStoryRun(env, name);
      assert.deepEqual(
        sr.spec.decisions.map((d) => d.choice),
        ['casual'],
        name,
      );
    }
    for (const name of names) await waitForPhase(env, name, ['Running', 'Succeeded'], { diagnostics });
    assert.deepEqual(errors, []);
  });

  it('pauses a running story immediately and then aborts it, each after its confirmation: the pod goes', async () => {
    const created = await createStoryRun(
      env,
      sampleStoryRun(env, 'pause-me', { extraDescription: slow('implement', 60) }),
    );
    const { page, errors } = await open('phone', { token });
    await page.goto(`${dashboard.url}/stories/${env.namespace}/pause-me`);
    await live(page);
    await page.getByText('step implement').waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Pause now' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('The pod stops now').waitFor();
    await screenshot(page, 'phone-story-confirm');
    await dialog.getByRole('button', { name: 'Pause now' }).click();
    await page.getByTestId('story-phase').getByText('Paused', { exact: true }).waitFor({ timeout: 90_000 });
    await eventually('the pod to be gone', async () => {
      const pods = await storyPods(env, created.metadata.uid!);
      return (
        pods.every((p) => p.metadata?.deletionTimestamp || ['Succeeded', 'Failed'].includes(p.status?.phase ?? '')) ||
        undefined
      );
    });
    assert.equal((await getStoryRun(env, 'pause-me')).spec.pauseMode, 'Immediate');

    await page.getByRole('button', { name: 'Abort, discard' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await getStoryRun(env, 'pause-me')).spec.abort?.requested ?? false, false, 'cancel changes nothing');
    await page.getByRole('button', { name: 'Abort, discard' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Abort and discard' }).click();
    await page.getByTestId('story-phase').getByText('Aborted', { exact: true }).waitFor({ timeout: 90_000 });
    const sr = await getStoryRun(env, 'pause-me');
    assert.deepEqual(sr.spec.abort, { requested: true, keepWork: false });
    assert.deepEqual(errors, []);
  });

  it('reorders the queue (move to front) and raises maxParallel, each confirmed: the story moved first is admitted next', async () => {
    await env.custom.createNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: env.namespace,
      plural: 'workqueues',
      body: {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'WorkQueue',
        metadata: { name: 'night' },
        spec: { maxParallel: 0 },
      },
    });
    await createStoryRun(env, sampleStoryRun(env, 'q-first', { spec: { queueRef: 'night' } }));
    await createStoryRun(env, sampleStoryRun(env, 'q-second', { spec: { queueRef: 'night' } }));
    for (const name of ['q-first', 'q-second']) await waitForPhase(env, name, 'Queued', { diagnostics });
    const { page, errors } = await open('phone', { token });
    await page.goto(`${dashboard.url}/queue`);
    const queued = page.locator('[data-queued]');
    await eventually('both in the queue, q-first first', async () =>
      (await queued.first().getAttribute('data-queued')) === 'q-first' && (await queued.count()) === 2
        ? true
        : undefined,
    );
    await page.locator('[data-queued="q-second"]').getByRole('button', { name: 'Move to front' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Move' }).click();
    await eventually(
      'q-second first, live',
      async () => (await queued.first().getAttribute('data-queued')) === 'q-second' || undefined,
    );
    await screenshot(page, 'phone-queue-reordered');
    await page.getByLabel('Max parallel').fill('1');
    await page.getByRole('button', { name: 'Set', exact: true }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Apply' }).click();
    await waitForPhase(env, 'q-second', ['Admitted', 'Running', 'Succeeded'], { diagnostics });
    assert.equal((await getStoryRun(env, 'q-first')).status?.phase, 'Queued', 'q-first waits for the slot');
    assert.deepEqual(errors, []);
  });

  it('extends a budget for today from the Budget page, after its confirmation dialog', async () => {
    await env.custom.createNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: env.namespace,
      plural: 'budgets',
      body: {
        apiVersion: 'nightshift.dev/v1alpha1',
        kind: 'Budget',
        metadata: { name: 'team' },
        spec: { dailyLimitUSD: 10, weeklyLimitUSD: 40 },
      },
    });
    const { page, errors } = await open('phone', { token });
    await page.goto(`${dashboard.url}/budget`);
    await page.getByRole('heading', { name: `${env.namespace}/team` }).waitFor();
    await page.getByRole('button', { name: 'Extend' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Amount (USD)').fill('7');
    await dialog.getByLabel(/^Reason/).fill('release night');
    await dialog.getByText(/allows \$7\.00 more today on top of the \$10 limit/).waitFor();
    await dialog.getByRole('button', { name: 'Confirm extension' }).click();
    await page.getByText(/Extensions: \$7\.00 \(release night\)/).waitFor({ timeout: 30_000 });
    const budget = (await env.custom.getNamespacedCustomObject({
      group: 'nightshift.dev',
      version: 'v1alpha1',
      namespace: env.namespace,
      plural: 'budgets',
      name: 'team',
    })) as { spec: { extensions: { amountUSD: number; reason: string }[] } };
    assert.deepEqual(
      budget.spec.extensions.map((x) => [x.amountUSD, x.reason]),
      [[7, 'release night']],
    );
    assert.deepEqual(errors, []);
  });

  /** A story for the Story page (the first, or one made now when this runs alone). */
  const shownStory = async () => {
    const list = await api.get(`/api/stories?namespace=${env.namespace}`);
    const first = list.body.items?.[0]?.name as string | undefined;
    if (first) return `${env.namespace}/${first}`;
    await createStoryRun(env, sampleStoryRun(env, 'shown'));
    await waitForPhase(env, 'shown', 'Succeeded', { diagnostics });
    return `${env.namespace}/shown`;
  };
  const PAGES = [
    { path: '/', name: 'now', heading: 'Now' },
    { path: '/decisions', name: 'decisions', heading: 'Decisions' },
    { path: '/stories/{story}', name: 'story', heading: 'Greet by name' },
    { path: '/stories/{story}/replay', name: 'replay', heading: /^Replay of/ },
    { path: '/timeline', name: 'timeline', heading: 'Timeline' },
    { path: '/queue', name: 'queue', heading: 'Queue' },
    { path: '/prs', name: 'prs', heading: 'Pull requests' },
    { path: '/budget', name: 'budget', heading: 'Budget' },
    { path: '/settings', name: 'settings', heading: 'Settings' },
  ];
  for (const size of ['phone', 'desktop'] as const) {
    for (const scheme of size === 'phone' ? (['light', 'dark'] as const) : (['light'] as const)) {
      it(`renders every page at ${size} size (${scheme}) with no serious accessibility violation, and saves screenshots`, async () => {
        const story = await shownStory();
        const { page, errors } = await open(size, { token, colorScheme: scheme, axe: true });
        const problems: string[] = [];
        for (const p of PAGES) {
          await page.goto(`${dashboard.url}${p.path.replace('{story}', story)}`);
          await page.getByRole('heading', { level: 1, name: p.heading }).waitFor();
          await page.locator('[aria-busy="true"]').waitFor({ state: 'detached' });
          await live(page);
          await screenshot(page, `${size}-${scheme}-${p.name}`);
          const violations = await seriousViolations(page);
          if (violations.length) problems.push(`${p.name}:\n${describeViolations(violations)}`);
        }
        const login = await open(size, { colorScheme: scheme, axe: true });
        await login.page.goto(`${dashboard.url}/login`);
        await login.page.getByLabel('Token').waitFor();
        await screenshot(login.page, `${size}-${scheme}-login`);
        const loginViolations = await seriousViolations(login.page);
        if (loginViolations.length) problems.push(`login:\n${describeViolations(loginViolations)}`);
        assert.equal(problems.join('\n'), '');
        assert.deepEqual(errors, []);
      });
    }
  }

  it('renders the timeline of 10,000 events (200 lanes) virtualized, and scrolls it to the end', async () => {
    // 200 stories parked on a queue that does not exist (no pods), 50 step events each.
    const names = Array.from({ length: 200 }, (_, i) => `lane-${String(i).padStart(3, '0')}`);
    const uids: string[] = [];
    for (let i = 0; i < names.length; i += 20) {
      const created = await Promise.all(
        names
          .slice(i, i + 20)
          .map((name) => createStoryRun(env, sampleStoryRun(env, name, { spec: { queueRef: 'parked' } }))),
      );
      uids.push(...created.map((c) => c.metadata.uid!));
    }
    await eventually('the dashboard to see the 200 stories', async () => {
      const list = await api.get(`/api/stories?namespace=${env.namespace}&queue=parked&limit=500`);
      return list.body.items?.length === 200 || undefined;
    });
    await env.db.query(
      `insert into execution_events (story_uid, occurred_at, source, type, step, data)
       select uid::uuid, now() - interval '20 hours' + l * interval '5 minutes' + e * interval '5 seconds',
              'runner', case when e % 2 = 0 then 'StepStarted' else 'StepFinished' end, 'implement',
              jsonb_build_object('node', 'implement', 'visit', e / 2 + 1, 'attempt', 1, 'durationMs', 5000)
       from unnest($1::text[]) with ordinality as u(uid, l), generate_series(0, 49) e`,
      [uids],
    );
    const { page, errors } = await open('phone', { token });
    await page.goto(`${dashboard.url}/timeline`);
    const lanes = page.getByRole('list', { name: 'Story lanes' });
    await lanes.waitFor().catch((error: Error) => {
      throw new Error(`${error.message}\n${dashboard.tail(10)}`, { cause: error });
    });
    await page.getByText(/^\d{3,} stories/).waitFor();
    const rendered = await lanes.getByRole('listitem').count();
    assert.ok(rendered > 5 && rendered < 80, `only the lanes in view are rendered: ${rendered}`);
    const first = await lanes.getByRole('listitem').first().getAttribute('aria-label');
    const scroller = page.getByTestId('timeline-scroller');
    await scroller.hover();
    for (let i = 0; i < 20; i++) await page.mouse.wheel(0, 600);
    await eventually('other lanes after scrolling', async () => {
      const now = await lanes.getByRole('listitem').first().getAttribute('aria-label');
      return now !== first || undefined;
    });
    await screenshot(page, 'phone-timeline-10000-events');
    assert.deepEqual(errors, []);
  });

  it('serves the build with cache headers: hashed assets immutable, the page revalidated', async () => {
    const pageResponse = await fetch(`${dashboard.url}/decisions`);
    assert.equal(pageResponse.status, 200);
    assert.equal(pageResponse.headers.get('cache-control'), 'no-cache');
    const html = await pageResponse.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, html);
    const assetResponse = await fetch(`${dashboard.url}${asset}`);
    assert.equal(assetResponse.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const unauthenticated = await fetch(`${dashboard.url}/api/stories`);
    assert.equal(unauthenticated.status, 401, 'the API still wants a token');
    assert.equal((await api.get('/api/stories')).status, 200);
  });
});
