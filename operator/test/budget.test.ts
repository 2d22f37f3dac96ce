// Budgets on the local cluster: the real operator process keeps a Budget's
// status (kubectl get nsb), raises its 80 % alert once, applies a raise only
// once it is confirmed (and a lowering at once), records who changed what;
// and a real story pod paused by the Budget's day resumes by itself once a
// confirmed raise gives it room. The test plays the runner's ledger where a
// pod is not needed (spend recorded through @nightshift/crds/ledger).
import assert from 'node:assert/strict';
import { confirmIncreaseValue } from '@nightshift/crds/contract';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { BudgetLedger } from '@nightshift/crds/ledger';
import { budgetSchema, type Budget } from '@nightshift/crds';
import { eventually } from '../../hack/test/harness.ts';
import { OperatorProcess } from './support/operator-process.ts';
import {
  createStoryRun,
  sampleStoryRun,
  sessionsOf,
  storyEnvironment,
  waitForPhase,
  type StoryEnvironment,
} from './support/story-environment.ts';

const CALLS = `\`\`\`nightshift
calls: 10
call-input-tokens: 100
call-output-tokens: 300
call-model: claude-sonnet-4-5
call-provider: anthropic
call-latency-ms: 20
\`\`\``;

const TTL_SECONDS = 10;

// A cli agent whose one model call (through the pod's metering proxy) never gets an answer.
const HANGING_AGENT = `fetch(process.env.ANTHROPIC_BASE_URL + '/v1/messages', {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-api-key': process.env.ANTHROPIC_API_KEY, 'anthropic-version': '2023-06-01' },
  body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 1000, messages: [{ role: 'user', content: 'hello' }] }),
}).then((r) => r.text()).then(console.log);`;

describe('Budgets on the local cluster', function () {
  this.timeout(10 * 60_000);
  let env: StoryEnvironment;
  let operator: OperatorProcess;
  const diagnostics = () => `--- operator log ---\n${operator.tail(40)}`;

  before(async function () {
    this.timeout(30 * 60_000);
    env = await storyEnvironment('budget');
    operator = await OperatorProcess.startReady({
      kubeconfig: env.cluster.kubeconfigPath,
      databaseURL: env.databaseURL,
      namespace: env.namespace,
      config: {
        budget: { refreshSeconds: 1, sweepSeconds: 1, estimate: { coldStartP50USD: 0.001, coldStartP90USD: 0.01 } },
        runner: { env: { NIGHTSHIFT_RESERVATION_TTL_SECONDS: String(TTL_SECONDS) } },
      },
    });
  });
  after(async () => {
    await operator?.stop();
    await env?.close();
  });

  const kubectl = (...args: string[]) => env.cluster.kubectl([...args, '-n', env.namespace]);
  const createBudget = (name: string, spec: Record<string, unknown>) =>
    env.cluster.kubectl(['apply', '-n', env.namespace, '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'nightshift.dev/v1alpha1', kind: 'Budget', metadata: { name }, spec }),
    });
  const getBudget = async (name: string): Promise<Budget> =>
    budgetSchema.parse(JSON.parse(await kubectl('get', 'budget', name, '-o', 'json')));
  const waitForBudget = (name: string, what: string, ok: (b: Budget) => boolean) =>
    eventually(`Budget ${name}: ${what}`, async () => {
      const b = await getBudget(name);
      return ok(b) ? b : undefined;
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${diagnostics()}`, { cause: error });
    });
  const inForce = async (key: string) =>
    (await env.db.query('select daily_limit_usd::float8 as daily from budgets where key = $1', [key])).rows[0]?.daily;

  /** The test as a runner: a ledger drawing on the Budget, spending through reserve and settle. */
  async function spender(budget: string) {
    const storyUid = randomUUID();
    const sessionId = randomUUID();
    await env.db.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name)
       values ($1, $2, $3, 'spender', 'SPEND', 1, 'spender-1')`,
      [sessionId, storyUid, env.namespace],
    );
    const ledger = new BudgetLedger(env.db, {
      storyUid,
      sessionId,
      ttlSeconds: 900,
      budgetKeys: [`${env.namespace}/${budget}`],
    });
    await ledger.open(undefined);
    return {
      ledger,
      async spend(usd: number) {
        const r = await ledger.reserve(usd, 'test call');
        assert.ok('id' in r, `reserved ${usd}`);
        await ledger.settle(r.id, usd);
      },
    };
  }

  it('shows Today/Week/Reserved/State/ResetsAt, alerts once at 80 %, applies a raise only once confirmed and a lowering at once, and records who changed what', async () => {
    await createBudget('team', { dailyLimitUSD: 1, weeklyLimitUSD: 5, timezone: 'Europe/Berlin' });
    await waitForBudget('team', 'Ok', (b) => b.status?.state === 'Ok');
    const key = `${env.namespace}/team`;
    const s = await spender('team');
    await s.spend(0.5);
    const held = await s.ledger.reserve(0.1, 'in flight');
    assert.ok('id' in held);
    const table = await waitForBudget('team', 'the spend shown', (b) => b.status?.reservedUSD === 0.1).then(() =>
      kubectl('get', 'nsb', 'team'),
    );
    const [header, row] = table.trim().split('\n');
    assert.match(header!, /^NAME\s+TODAY\s+WEEK\s+RESERVED\s+STATE\s+RESETSAT\s+AGE$/);
    assert.match(row!, /^team\s+0\.5\s+0\.5\s+0\.1\s+Ok\s+\S+/);
    const ok = await getBudget('team');
    assert.equal(ok.status?.remainingTodayUSD, 0.4);
    const resets = new Date(ok.status!.periodResetsAt!);
    assert.equal(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Berlin', hour: '2-digit', minute: '2-digit' }).format(
        resets,
      ),
      '00:00',
      'the day resets at midnight in Berlin',
    );
    await s.ledger.settle(held.id, 0.1);

    await s.spend(0.2); // 0.8 of 1: the threshold
    const warned = await waitForBudget('team', 'Warning', (b) => b.status?.state === 'Warning');
    assert.equal(warned.status?.conditions?.find((c) => c.type === 'Warning')?.reason, 'DailyThresholdReached');
    await s.spend(0.05);
    await waitForBudget('team', 'the next spend shown', (b) => b.status?.spentTodayUSD === 0.85);
    await new Promise((r) => setTimeout(r, 3_000)); // several more reconciles (refreshSeconds: 1)
    const alerts = await env.db.query('select scope, kind from budget_alerts where budget_key = $1', [key]);
    assert.deepEqual(
      alerts.rows,
      [{ scope: 'daily', kind: 'Threshold' }],
      'one alert for the day, however often we look',
    );
    const events = JSON.parse(
      await kubectl('get', 'events.events.k8s.io', '--field-selector', 'reason=ThresholdReached', '-o', 'json'),
    ).items as { series?: { count: number }; note: string }[];
    assert.equal(events.length, 1);
    assert.equal(events[0]!.series, undefined, 'sent once, not repeated');
    assert.match(events[0]!.note, /reached 80 % of the daily limit \$1\.00/);

    // A raise waits for its confirmation; the old limit holds.
    await kubectl('patch', 'nsb', 'team', '--type=merge', '-p', JSON.stringify({ spec: { dailyLimitUSD: 2 } }));
    const pending = await waitForBudget('team', 'a pending increase', (b) => Boolean(b.status?.pendingIncrease));
    const token = pending.status!.pendingIncrease!;
    assert.equal(token, confirmIncreaseValue(pending.spec, pending.metadata.generation!));
    assert.equal(pending.status?.conditions?.find((c) => c.type === 'IncreasePending')?.reason, 'ConfirmationRequired');
    assert.equal(await inForce(key), 1, 'the ledger still enforces $1');
    const refused = await s.ledger.reserve(0.3, 'does not fit $1');
    assert.ok('refused' in refused && refused.refused.scope === 'daily');

    await kubectl(
      'annotate',
      'nsb',
      'team',
      `nightshift.dev/confirm-increase=${token}`,
      'nightshift.dev/change-reason=alice: release day',
    );
    await waitForBudget(
      'team',
      'the raise applied',
      (b) => !b.status?.pendingIncrease && b.status?.remainingTodayUSD === 1.15,
    );
    assert.equal(await inForce(key), 2);
    assert.ok('id' in (await s.ledger.reserve(0.3, 'fits $2 now')), 'the current window follows the confirmed limit');

    // Lowering is immediate.
    await kubectl('patch', 'nsb', 'team', '--type=merge', '-p', JSON.stringify({ spec: { dailyLimitUSD: 0.5 } }));
    const lowered = await waitForBudget('team', 'Exceeded', (b) => b.status?.state === 'Exceeded');
    assert.equal(lowered.status?.pendingIncrease, undefined);
    assert.equal(await inForce(key), 0.5);

    const changes = await env.db.query(
      `select field, from_value, to_value, kind, changed_by, reason from budget_changes
        where budget_key = $1 and field = 'dailyLimitUSD' order by id`,
      [key],
    );
    assert.deepEqual(
      changes.rows.map((c) => [c.from_value, c.to_value, c.kind]),
      [
        [null, '1', 'Created'],
        ['1', '2', 'Raised'],
        ['2', '0.5', 'Lowered'],
      ],
    );
    assert.match(changes.rows[1].changed_by, /kubectl-patch; confirmed by kubectl-annotate/);
    assert.equal(changes.rows[1].reason, 'alice: release day');
    const described = await kubectl('describe', 'nsb', 'team');
    assert.match(described, /IncreaseApplied/);
    assert.match(described, /LimitLowered/);
    const metrics = await operator.metrics();
    const limitLine = metrics
      .split('\n')
      .find(
        (l) =>
          l.startsWith('nightshift_budget_usd{') &&
          ['budget="team"', 'period="day"', 'kind="limit"', `namespace="${env.namespace}"`].every((x) => l.includes(x)),
      );
    assert.match(limitLine ?? '', / 0\.5$/, 'the limit in force is on /metrics');
    assert.match(metrics, /nightshift_budget_alerts_total\{kind="Threshold"\} [1-9]/);
  });

  it('names an unknown time zone in a Valid=False condition and a Warning Event, and enforces nothing from it', async () => {
    await createBudget('mars', { dailyLimitUSD: 1, timezone: 'Mars/Olympus' });
    const invalid = await waitForBudget('mars', 'Valid=False', (b) =>
      Boolean(b.status?.conditions?.some((c) => c.type === 'Valid' && c.status === 'False')),
    );
    const valid = invalid.status!.conditions!.find((c) => c.type === 'Valid')!;
    assert.equal(valid.reason, 'InvalidSpec');
    assert.match(valid.message, /spec\.timezone: unknown time zone "Mars\/Olympus"/);
    assert.match(await kubectl('describe', 'nsb', 'mars'), /Warning\s+InvalidSpec/);
    assert.equal(await inForce(`${env.namespace}/mars`), undefined, 'the ledger holds nothing for it');
  });

  it('kill -9 of a story pod holding a reservation: the call is charged its worst case after its TTL, as unconfirmed', async () => {
    const hanging: Server = createServer(() => {});
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', () => r()));
    try {
      await createBudget('pods', { dailyLimitUSD: 10 });
      await waitForBudget('pods', 'Ok', (b) => b.status?.state === 'Ok');
      const story = sampleStoryRun(env, 'killed', {
        spec: {
          budgetRef: 'pods',
          backoffLimit: 0,
          agent: {
            backend: 'cli',
            command: ['node', '-e', HANGING_AGENT],
            provider: 'anthropic',
            model: 'claude-sonnet-4-5',
            baseURL: `http://127.0.0.1:${(hanging.address() as { port: number }).port}`,
            maxTurns: 30,
            maxTokensPerCall: 1000,
          },
        },
      });
      const created = await createStoryRun(env, story);
      const uid = created.metadata.uid!;
      const reservations = () =>
        env.db.query(
          'select state, amount_usd::float8 as amount, actual_usd::float8 as actual from cost_reservations where story_uid = $1',
          [uid],
        );
      const held = await eventually(
        'the pod to hold a reservation for its call in flight',
        async () => (await reservations()).rows.find((r) => r.state === 'reserved'),
        { timeoutMs: 120_000 },
      );
      const [pod] = await sessionsOf(env, uid);
      await kubectl('delete', 'pod', pod.pod_name, '--grace-period=0', '--force');
      await waitForPhase(env, 'killed', 'Failed', { diagnostics });
      const charged = await eventually(
        'the reservation to be charged after its TTL',
        async () => (await reservations()).rows.find((r) => r.state === 'unconfirmed'),
        { timeoutMs: (TTL_SECONDS + 20) * 1000 },
      );
      assert.equal(charged.actual, held.amount, 'settled at its worst case, not released');
      const budget = await waitForBudget('pods', 'the charge counted', (b) => (b.status?.spentTodayUSD ?? 0) > 0);
      assert.equal(budget.status?.spentTodayUSD, Math.round(held.amount * 1e6) / 1e6);
      assert.equal(budget.status?.reservedUSD, 0);
    } finally {
      hanging.closeAllConnections();
      hanging.close();
    }
  });

  it("a story paused by its Budget's day resumes by itself once a confirmed raise gives it room", async () => {
    await createBudget('tight', { dailyLimitUSD: 0.05, timezone: 'America/New_York' });
    await waitForBudget('tight', 'Ok', (b) => b.status?.state === 'Ok');
    const story = sampleStoryRun(env, 'over-budget', {
      extraDescription: CALLS,
      spec: { budgetRef: 'tight', agent: { backend: 'scripted', maxTurns: 30, maxTokensPerCall: 1000 } },
    });
    const created = await createStoryRun(env, story);
    const paused = await waitForPhase(env, 'over-budget', 'Paused', { diagnostics });
    assert.equal(paused.status?.conditions?.find((c) => c.type === 'Paused')?.reason, 'BudgetExceeded');
    assert.match(paused.status!.message!, /resumes by itself at \S+ or once the limit is raised/);
    assert.equal(paused.status?.estimateUSD, 0.001, 'its cost estimate (cold start) is on the StoryRun');
    const [first] = await sessionsOf(env, created.metadata.uid!);
    assert.equal(first.outcome_detail.scope, 'daily');
    assert.equal(first.outcome_detail.budget, `${env.namespace}/tight`);
    const spent = await env.db.query(
      `select spent_usd::float8 as spent, limit_usd::float8 as lim from budget_windows where scope = 'daily' and scope_key = $1`,
      [`${env.namespace}/tight`],
    );
    assert.ok(spent.rows[0].spent <= 0.05 && spent.rows[0].spent > 0, `spent ${spent.rows[0].spent} within $0.05`);

    await kubectl('patch', 'nsb', 'tight', '--type=merge', '-p', JSON.stringify({ spec: { dailyLimitUSD: 1 } }));
    const pending = await waitForBudget('tight', 'a pending increase', (b) => Boolean(b.status?.pendingIncrease));
    await new Promise((r) => setTimeout(r, 2_000));
    assert.equal(
      (await waitForPhase(env, 'over-budget', 'Paused')).status?.phase,
      'Paused',
      'not without confirmation',
    );
    await kubectl('annotate', 'nsb', 'tight', `nightshift.dev/confirm-increase=${pending.status!.pendingIncrease}`);
    const done = await waitForPhase(env, 'over-budget', 'Succeeded', { diagnostics });
    assert.deepEqual(
      (await sessionsOf(env, created.metadata.uid!)).map((s) => s.outcome),
      ['Paused', 'Succeeded'],
    );
    const estimate = await env.db.query(
      'select actual_usd::float8 as actual from cost_estimates where story_uid = $1',
      [created.metadata.uid],
    );
    assert.ok(Math.abs(estimate.rows[0].actual - done.status!.costUSD!) < 1e-6, 'estimate vs actual is recorded');
    await waitForBudget('tight', 'the mean estimate error', (b) => b.status?.estimateMeanErrorUSD !== undefined);
  });
});
