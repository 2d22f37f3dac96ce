// The Budget seam of admission and of the lifecycle plan against real
// records, with a fake clock: a Budget whose day is spent closes admission
// (BudgetExceeded) and an estimate that does not fit what is left waits
// (EstimateExceedsBudget), until the next day in the Budget's time zone; a
// story paused by the Budget's day resumes by itself at the new day.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { storyRunSchema, type StoryRun } from '@nightshift/crds';
import { budgetSpecSchema } from '@nightshift/crds';
import { BudgetLedger } from '@nightshift/crds/ledger';
import { testDatabase } from '../../../hack/test/harness.ts';
import { configSchema } from '../config/schema.ts';
import { createPool } from '../postgres/pool.ts';
import { applyBudget } from '../records/budgets.ts';
import { ensureSession, listSessions } from '../records/sessions.ts';
import { policy as lifecycle } from '../storyrun/plan-fixtures.ts';
import { planStoryRun } from '../storyrun/plan.ts';
import { snapshotOf } from '../storyrun/resources.ts';
import { decideLimits } from './limits.ts';
import { storyBudgets } from './story-budgets.ts';

const settings = configSchema.parse({}).budget;

describe('Budgets in admission and the lifecycle plan (real records, fake clock)', function () {
  let pool: pg.Pool;
  before(async () => (pool = createPool(await testDatabase('story_budgets'), { applicationName: 'test', max: 4 })));
  after(() => pool?.end());

  const story = (name: string, spec: Record<string, unknown> = {}, status: StoryRun['status'] = {}): StoryRun =>
    storyRunSchema.parse({
      apiVersion: 'nightshift.dev/v1alpha1',
      kind: 'StoryRun',
      metadata: { name, namespace: 'team-a', uid: randomUUID(), generation: 1 },
      spec: {
        story: { id: name.toUpperCase(), title: name },
        repository: { url: 'file:///r' },
        budgetRef: 'daily',
        ...spec,
      },
      status,
    });

  async function budget(limit: number) {
    const spec = budgetSpecSchema.parse({ dailyLimitUSD: limit, weeklyLimitUSD: 100, timezone: 'Europe/Berlin' });
    const calendar = { timezone: spec.timezone, weekStartsOn: spec.weekStartsOn };
    const d = decideLimits({
      spec,
      generation: 1,
      confirmation: undefined,
      inForce: undefined,
      calendar,
      now: new Date(),
    });
    await applyBudget(pool, {
      key: 'team-a/daily',
      namespace: 'team-a',
      name: 'daily',
      uid: randomUUID(),
      spec,
      generation: 1,
      limits: d.next,
      changes: d.changes,
      changedBy: 'test',
      reason: undefined,
    });
  }

  // 23:50 in Berlin on 25 November (UTC+1), then just after its midnight.
  const LATE = new Date('2026-11-25T22:50:00Z');
  const NEW_DAY = new Date('2026-11-25T23:00:00.010Z');

  it('closes admission on a spent day and on an estimate that does not fit, and opens at the new day', async () => {
    await budget(1);
    let clock = LATE;
    const budgets = storyBudgets({
      pool,
      workQueues: { get: () => undefined },
      settings: { ...settings, estimate: { ...settings.estimate, coldStartP50USD: 0.5 } },
      now: () => clock,
    });
    const spender = story('spender');
    const ledger = new BudgetLedger(pool, {
      storyUid: spender.metadata.uid!,
      sessionId: (
        await ensureSession(pool, {
          snapshot: snapshotOf(spender),
          attempt: 1,
          mode: 'run',
          podName: 'p',
          daemonRunId: undefined,
        })
      ).id,
      ttlSeconds: 900,
      budgetKeys: ['team-a/daily'],
      now: () => clock,
    });
    await ledger.open(undefined);
    const call = await ledger.reserve(0.6, 'call');
    assert.ok('id' in call);
    await ledger.settle(call.id, 0.6);

    const waiting = await budgets.check({ namespace: 'team-a' }, story('big'));
    assert.equal(waiting.open, false);
    assert.equal(waiting.reason, 'EstimateExceedsBudget');
    assert.match(
      waiting.message!,
      /estimate \$0\.50 \(p50\) exceeds what Budget team-a\/daily has left today \(\$0\.40\)/,
    );

    const last = await ledger.reserve(0.399, 'the rest of the day');
    assert.ok('id' in last);
    await ledger.settle(last.id, 0.399);
    const closed = await budgets.check({ namespace: 'team-a' }, story('next'));
    assert.deepEqual([closed.open, closed.reason], [false, 'BudgetExceeded']);
    assert.match(closed.message!, /daily limit \$1\.00 reached/);

    clock = NEW_DAY;
    assert.deepEqual(await budgets.check({ namespace: 'team-a' }, story('next')), { open: true });
    const spent = await ledger.reserve(0.9, 'first call of the new day');
    assert.ok('id' in spent, 'the new day has its own window');
  });

  it("resumes a story paused by the Budget's day by itself at the new day", async () => {
    let clock = new Date('2026-11-27T22:59:00Z'); // 23:59 in Berlin, two days after the test above
    const budgets = storyBudgets({ pool, workQueues: { get: () => undefined }, settings, now: () => clock });
    const paused = story('paused', {}, { phase: 'Paused', attempt: 1 });
    const ledger = new BudgetLedger(pool, {
      storyUid: paused.metadata.uid!,
      sessionId: (
        await ensureSession(pool, {
          snapshot: snapshotOf(paused),
          attempt: 1,
          mode: 'run',
          podName: 'paused-1',
          daemonRunId: undefined,
          budgetKeys: budgets.keysOf(paused),
        })
      ).id,
      ttlSeconds: 900,
      budgetKeys: budgets.keysOf(paused),
      now: () => clock,
    });
    await ledger.open(undefined);
    const call = await ledger.reserve(0.99, 'most of the day');
    assert.ok('id' in call);
    await ledger.settle(call.id, 0.99);
    const refused = await ledger.reserve(0.05, 'does not fit');
    assert.ok('refused' in refused);
    await pool.query(
      `update execution_sessions set ended_at = now(), outcome = 'Paused', outcome_detail = $2 where story_uid = $1`,
      [
        paused.metadata.uid,
        JSON.stringify({
          reason: 'BudgetExceeded',
          message: refused.refused.message,
          scope: refused.refused.scope,
          budget: refused.refused.key,
          neededUSD: 0.05,
        }),
      ],
    );
    const plan = async () => {
      const sessions = await listSessions(pool, paused.metadata.uid!);
      const budget = await budgets.observe(paused, sessions);
      return planStoryRun(
        {
          storyRun: paused,
          pods: [],
          volume: { name: 'paused-worktree', phase: 'Bound', terminating: false },
          sessions,
          decision: undefined,
          admission: { admitted: true, reason: 'Admitted', message: 'admitted' },
          budget,
          now: clock,
        },
        lifecycle,
      );
    };
    const held = await plan();
    assert.equal(held.status.phase, 'Paused');
    assert.deepEqual(held.actions, []);
    assert.equal(held.requeueAfterMs, 60_005, 'it looks again exactly at midnight in Berlin');
    assert.match(held.status.message!, /team-a\/daily has \$0\.0100 left today, the refused call needs \$0\.0500/);
    assert.equal(held.status.estimateUSD, settings.estimate.coldStartP50USD, 'its cold-start estimate is shown');

    clock = new Date('2026-11-27T23:00:00.005Z');
    const resumed = await plan();
    assert.deepEqual(
      resumed.actions.map((a) => a.type),
      ['StartAttempt'],
    );
    assert.equal(resumed.status.phase, 'Running');
    assert.match(resumed.status.message!, /room again/);
  });
});
