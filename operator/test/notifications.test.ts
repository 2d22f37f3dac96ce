// The notifier in the real operator process, fed from records in a real
// Postgres, delivering to the Slack and SMTP stand-ins: batching, once per
// period, an outage, a kill -9 between claim and send, and the daily summary
// in the recipient's time zone. (notifications-cluster.test.ts has the
// records written by real stories on the cluster.)
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import type pg from 'pg';
import { createPool } from '@nightshift/operator/postgres';
import { chromium } from 'playwright-core';
import {
  REPO_ROOT,
  eventually,
  installCRDs,
  localCluster,
  testDatabase,
  testNamespace,
} from '../../hack/test/harness.ts';
import type { OperatorProcess } from './support/operator-process.ts';
import {
  DASHBOARD,
  STORY_EVENTS,
  deliveries,
  notificationsConfig,
  notifyStandIns,
  recordAttempt,
  recordFinish,
  recordQuestion,
  recordStalled,
  settled,
  startNotifyingOperator,
  type NotifyStandIns,
} from './support/notify-environment.ts';

describe('notifications from the operator', function () {
  this.timeout(5 * 60_000);
  let standIns: NotifyStandIns;
  let kubeconfig: string;
  let namespace: string;
  let operator: OperatorProcess | undefined;
  let db: pg.Pool;
  let databaseURL: string;

  before(async function () {
    this.timeout(30 * 60_000);
    const cluster = await localCluster();
    await installCRDs();
    kubeconfig = cluster.kubeconfigPath;
    namespace = await testNamespace('notify');
    standIns = await notifyStandIns();
  });
  beforeEach(async () => {
    databaseURL = await testDatabase('notify');
    db = createPool(databaseURL, { applicationName: 'test-notify', max: 3 });
    standIns.slack.messages.length = 0;
    standIns.smtp.mails.length = 0;
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && operator) console.log(operator.tail(80));
    await operator?.stop();
    operator = undefined;
    await db?.end();
  });
  after(async () => standIns?.close());

  const start = async (notifications: Record<string, unknown>, identity?: string) =>
    (operator = await startNotifyingOperator({
      kubeconfig,
      databaseURL,
      namespace,
      notifications,
      ...(identity ? { identity } : {}),
    }));
  const texts = () => standIns.slack.messages.map((m) => m.payload.text);

  it('a burst of 20 decisions → one Slack message listing them, each with its Answer link', async () => {
    await start(notificationsConfig(standIns, { slack: { events: STORY_EVENTS, batchSeconds: 3 } }));
    const story = await recordAttempt(db, { namespace, name: 'burst', title: 'Twenty questions' });
    for (let i = 0; i < 20; i++) await recordQuestion(db, story, `burst-q${i}`, `Question ${i}?`);
    await settled(db, 'the decisions to be sent');
    // Nothing else arrives once the batch went out.
    await new Promise((r) => setTimeout(r, 1500));
    assert.deepEqual(texts(), ['20 decisions needed']);
    const posted = JSON.stringify(standIns.slack.messages[0]!.payload.blocks);
    for (let i = 0; i < 20; i++) {
      assert.ok(posted.includes(`Question ${i}?`), `lists question ${i}`);
      assert.ok(posted.includes(`"url":"${DASHBOARD}/decisions/burst-q${i}"`), `links question ${i}`);
    }
  });

  it('the 80 % alert is sent once per period, across a restart', async () => {
    // The rows the Budget controller writes (operator/test/budget.test.ts proves it writes one per period and limit).
    const alert = (periodStart: string, spent: number) =>
      db.query(
        `insert into budget_alerts (budget_key, scope, period_start, kind, spent_usd, limit_usd, message)
         values ($1, 'daily', $2, 'Threshold', $3, 10, $4) on conflict do nothing`,
        [`${namespace}/team-budget`, periodStart, spent, `${spent * 10}% of the daily limit`],
      );
    await start(notificationsConfig(standIns, { slack: { events: STORY_EVENTS } }));
    await alert('2026-11-24T23:00:00Z', 8.1);
    await settled(db);
    await alert('2026-11-24T23:00:00Z', 9); // the same period again: the budget records it once
    await operator!.stop();
    await start(notificationsConfig(standIns, { slack: { events: STORY_EVENTS } }));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(texts().length, 1, `one alert for the period: ${texts()}`);
    await alert('2026-11-25T23:00:00Z', 8.4); // the next day
    await eventually('the next period’s alert', () => (texts().length === 2 ? true : undefined));
    assert.deepEqual(texts(), [
      `Budget ${namespace}/team-budget at 81% of its daily limit`,
      `Budget ${namespace}/team-budget at 84% of its daily limit`,
    ]);
    const taken = await db.query('select count(*)::int as n from budget_alerts where notified_at is not null');
    assert.equal(taken.rows[0].n, 2, 'the notifier marks the alerts it took');
  });

  it('Slack down for a while, then back (and rate-limiting): every queued message delivered once', async () => {
    await start(notificationsConfig(standIns, { slack: { events: STORY_EVENTS } }));
    // First not listening at all (connection refused), then up but answering 503.
    // (Not the other way round: a server that stops listening resets the connections it had not accepted yet,
    // which a sender cannot tell from a request Slack took, so those become uncertain, by design.)
    await standIns.slack.outage('unreachable');
    const names = ['down-1', 'down-2', 'down-3', 'down-4', 'down-5'];
    for (const [i, name] of names.entries()) {
      const story = await recordAttempt(db, { namespace, name });
      await recordFinish(db, story, { phase: 'Succeeded', pullRequestURL: `https://forge.test/pull/${i}` });
      // One delivery per story: wait until this one was planned (and failed) before the next happens.
      await eventually(`delivery ${i + 1} to be tried`, async () =>
        (await deliveries(db)).filter((d) => d.attempts > 0).length === i + 1 ? true : undefined,
      );
      if (i === 2) await standIns.slack.outage('unavailable');
    }
    await new Promise((r) => setTimeout(r, 2000)); // a few failed retries each
    assert.equal(standIns.slack.messages.length, 0);
    standIns.slack.rateLimit({ every: 3, retryAfterSeconds: 1 });
    await standIns.slack.outage(undefined);
    await settled(db, 'the queued messages to be delivered');
    standIns.slack.rateLimit(undefined);
    for (const name of names) {
      assert.equal(
        texts().filter((t) => t.includes(`/${name})`)).length,
        1,
        `${name} delivered exactly once: ${texts()}`,
      );
    }
    assert.equal(texts().length, names.length);
    const rows = await deliveries(db);
    assert.ok(rows.every((r) => r.state === 'sent'));
    // (Each was tried while Slack was down: the loop above waited for that before the next story.)
    assert.ok(
      standIns.slack.refused.some((r) => r.status === 429),
      'Slack rate-limited some',
    );
  });

  it('operator kill -9 between claim and send → the message is still delivered once', async () => {
    // Three stories end while no operator runs; the next one plans three messages and claims them together.
    for (const [name, finish] of [
      [
        'kill-ok',
        (s: Awaited<ReturnType<typeof recordAttempt>>) =>
          recordFinish(db, s, { phase: 'Succeeded', pullRequestURL: 'https://forge.test/pull/9' }),
      ],
      [
        'kill-failed',
        (s: Awaited<ReturnType<typeof recordAttempt>>) =>
          recordFinish(db, s, { phase: 'Failed', reason: 'VerificationFailed' }),
      ],
      [
        'kill-stuck',
        (s: Awaited<ReturnType<typeof recordAttempt>>) => recordStalled(db, s, 'CreateContainerConfigError'),
      ],
    ] as const) {
      await finish(await recordAttempt(db, { namespace, name }));
    }
    standIns.slack.delayAnswers(10_000); // Slack posts the first, and is slow to say so
    await start(notificationsConfig(standIns, { slack: { events: STORY_EVENTS }, claimSeconds: 3 }), 'notify-kill');
    await eventually(
      'one delivery posted by Slack (its answer still to come) and two claimed behind it',
      async () => {
        const states = (await deliveries(db)).map((d) => d.state).join(',');
        return states === 'sending,claimed,claimed' && standIns.slack.messages.length === 1 ? true : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 50 }, // after the Lease of the previous test's operator, on a loaded machine
    );
    operator!.kill('SIGKILL');
    await operator!.waitForExit();
    standIns.slack.delayAnswers(0);
    operator!.restart();
    await settled(db, 'the claims of the killed operator to be taken over');
    const rows = await deliveries(db);
    assert.deepEqual(
      rows.map((r) => r.state),
      ['uncertain', 'sent', 'sent'],
      'the one Slack may have posted is not sent again; the two never handed over are',
    );
    for (const name of ['kill-ok', 'kill-failed', 'kill-stuck']) {
      assert.equal(texts().filter((t) => t.includes(`/${name})`)).length, 1, `${name} posted exactly once: ${texts()}`);
    }
  });

  it('the daily summary email arrives at the end of the recipient’s day, in their time zone', async () => {
    const now = DateTime.utc();
    // A zone whose date differs from UTC's now, so a summary in the wrong zone would name the wrong day.
    const zone = ['Pacific/Kiritimati', 'Pacific/Pago_Pago'].find(
      (z) => now.setZone(z).toISODate() !== now.toISODate(),
    )!;
    const local = now.setZone(zone).minus({ minutes: 2 });
    const endsAt = local.toFormat('HH:mm');
    const inDay = now.minus({ minutes: 30 }).toJSDate();

    const done = await recordAttempt(db, { namespace, name: 'summary-done', title: 'Add the greeting' });
    await recordFinish(db, done, { phase: 'Succeeded', pullRequestURL: 'https://forge.test/demo/hello/pull/3' }, inDay);
    const failed = await recordAttempt(db, { namespace, name: 'summary-failed', title: 'Rewrite the parser' });
    await recordFinish(db, failed, { phase: 'Failed', reason: 'VerificationFailed' }, inDay);
    const asking = await recordAttempt(db, { namespace, name: 'summary-asks' });
    await recordQuestion(db, asking, 'summary-q1', 'Which greeting style?');
    await db.query(`update decision_queue set asked_at = $1 where id = 'summary-q1'`, [inDay]);
    const old = await recordAttempt(db, { namespace, name: 'summary-yesterday', title: 'Before the day' });
    await recordFinish(
      db,
      old,
      { phase: 'Succeeded', pullRequestURL: 'https://forge.test/pull/1' },
      now.minus({ hours: 30 }).toJSDate(),
    );
    await db.query(
      `insert into cost_reservations (id, story_uid, window_ids, amount_usd, actual_usd, state, expires_at, settled_at)
       values (gen_random_uuid(), $1, '{}', 2, 1.75, 'settled', now(), $2)`,
      [done.uid, inDay],
    );

    await start(
      notificationsConfig(standIns, {
        email: { timeZone: zone, events: ['DailySummary'], dailySummaryAt: endsAt },
      }),
    );
    const mail = await eventually('the daily summary email', () => standIns.smtp.mails[0], { timeoutMs: 30_000 });
    const { parsed } = mail;
    const day = local.toFormat('cccc d LLLL yyyy');
    assert.equal(parsed.subject, `Nightshift daily summary: ${day}`);
    assert.deepEqual(mail.envelope.to, ['ana@example.com']);
    assert.equal(mail.secure, true);
    const text = parsed.text ?? '';
    const html = typeof parsed.html === 'string' ? parsed.html : '';
    assert.ok(text.includes('1 completed, 1 failed, 1 waiting for you, 0 started, $1.75 spent'), text);
    assert.ok(text.includes(`Add the greeting (${namespace}/summary-done)`));
    assert.ok(text.includes('VerificationFailed'));
    assert.ok(text.includes('Which greeting style?'));
    assert.ok(!text.includes('Before the day'), 'a story from before the day is not in it');
    const zoneName = now.setZone(zone).toFormat('ZZZZ');
    assert.ok(text.includes(`${local.toFormat('ccc d LLL')}, ${endsAt} ${zoneName}`), `times in ${zone}: ${text}`);
    assert.ok(html.includes('href="https://forge.test/demo/hello/pull/3"'));
    assert.ok(html.includes(`href="${DASHBOARD}/decisions/summary-q1"`));
    assert.ok(html.includes(`href="${DASHBOARD}/stories/${namespace}/summary-done"`));
    assert.match(parsed.messageId ?? '', /^<delivery-\d+\.[0-9a-f]{16}@example\.com>$/);

    await screenshot(html);
  });
});

/** The rendered HTML summary, as Chromium shows it: hack/artifacts/daily-summary.png (docs/images has a copy, refreshed by hand). */
async function screenshot(html: string): Promise<void> {
  const artifacts = join(REPO_ROOT, 'hack', 'artifacts');
  mkdirSync(artifacts, { recursive: true });
  writeFileSync(join(artifacts, 'daily-summary.html'), html);
  const userDataDir = mkdtempSync(join(tmpdir(), 'ns-chromium-'));
  const browser = await chromium.launchPersistentContext(userDataDir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 760, height: 900 },
  });
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const png = join(artifacts, 'daily-summary.png');
    await page.screenshot({ path: png, fullPage: true });
    assert.ok(statSync(png).size > 10_000, `a screenshot with something on it: ${png}`);
  } finally {
    await browser.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}
