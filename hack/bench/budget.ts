// Benchmark: reservations per second through the product's own ledger code
// (BudgetLedger.reserve from @nightshift/crds/ledger: period computation,
// window cache, one reserve_cost round trip) with 1, 8 and 32 concurrent
// callers against one hot Budget — each reservation holds three windows: the
// caller's story cap, the Budget's day and its week — and, as the reference
// in the same run on the same database, the bare SQL function reserve_cost
// called with the same window ids. Prints numbers; asserts nothing.
//
//   node hack/bench/budget.ts [--seconds 5] [--callers 1,8,32] [--rounds 2]
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { BudgetLedger } from '../../crds/src/ledger/index.ts';
import { teardownHarness, testDatabase } from '../test/harness.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    callers: { type: 'string', default: '1,8,32' },
    rounds: { type: 'string', default: '2' },
  },
});
const SECONDS = Number(values.seconds);
const CALLERS = values.callers.split(',').map(Number);
const ROUNDS = Number(values.rounds);
const BUDGET = 'bench/hot';
const AMOUNT = 0.000001;

interface Result {
  count: number;
  seconds: number;
  latencies: number[];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

async function drive(callers: number, reserve: ((i: number) => Promise<void>)[]): Promise<Result> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: callers }, async (_, i) => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await reserve[i]!(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  return {
    count: latencies.length,
    seconds: (performance.now() - started) / 1000,
    latencies: latencies.sort((a, b) => a - b),
  };
}

async function main() {
  const url = await testDatabase('bench_budget');
  const pool = new pg.Pool({
    connectionString: url,
    max: Math.max(...CALLERS) + 2,
    options: '-c search_path=autonomous,public',
  });
  pool.on('error', () => {}); // an idle client dropped while the embedded server stops
  await pool.query(
    `insert into budgets (key, namespace, name, timezone, week_starts_on, daily_limit_usd, weekly_limit_usd)
     values ($1, 'bench', 'hot', 'Europe/Berlin', 'Monday', 10000000, 10000000)`,
    [BUDGET],
  );
  const maxCallers = Math.max(...CALLERS);
  const ledgers: BudgetLedger[] = [];
  const bare: { story: string; session: string; windows: string[] }[] = [];
  for (let i = 0; i < maxCallers; i++) {
    const story = randomUUID();
    const session = randomUUID();
    await pool.query(
      `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name, budget_keys)
       values ($1, $2, 'bench', $3, 'BENCH', 1, $3, $4)`,
      [session, story, `bench-${i}`, [BUDGET]],
    );
    const ledger = new BudgetLedger(pool, {
      storyUid: story,
      sessionId: session,
      ttlSeconds: 900,
      budgetKeys: [BUDGET],
    });
    await ledger.open(100000);
    ledgers.push(ledger);
    bare.push({ story, session, windows: (await ledger.windows()).map((w) => w.id) });
  }
  console.log(
    `one hot Budget (${BUDGET}), 3 windows per reservation (story cap, day, week); ${SECONDS} s per run, ${ROUNDS} rounds, best round shown`,
  );
  const kinds = {
    'bare SQL reserve_cost': bare.map(
      (b) => () =>
        pool
          .query('select reserve_cost($1, $2, $3, $4::bigint[], $5, make_interval(secs => $6), $7) as ok', [
            randomUUID(),
            b.story,
            b.session,
            b.windows,
            AMOUNT.toFixed(6),
            900,
            'bench',
          ])
          .then(() => undefined),
    ),
    'product BudgetLedger.reserve': ledgers.map((l) => () => l.reserve(AMOUNT, 'bench').then(() => undefined)),
  };
  const best = new Map<string, Result>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const callers of CALLERS) {
      // Alternate which goes first, so neither always runs on a warmer (or fuller) table.
      const order = Object.entries(kinds);
      if (round % 2 === 1) order.reverse();
      for (const [name, reserve] of order) {
        const r = await drive(callers, reserve);
        const key = `${name}|${callers}`;
        const previous = best.get(key);
        if (!previous || r.count / r.seconds > previous.count / previous.seconds) best.set(key, r);
      }
    }
  }
  console.log(
    ['callers', 'kind', 'reservations/s', 'p50 ms', 'p99 ms'].map((h, i) => h.padEnd(i === 1 ? 30 : 16)).join(''),
  );
  for (const callers of CALLERS) {
    const rates: Record<string, number> = {};
    for (const name of Object.keys(kinds)) {
      const r = best.get(`${name}|${callers}`)!;
      rates[name] = r.count / r.seconds;
      console.log(
        [
          String(callers).padEnd(16),
          name.padEnd(30),
          rates[name]!.toFixed(0).padEnd(16),
          percentile(r.latencies, 0.5).toFixed(2).padEnd(16),
          percentile(r.latencies, 0.99).toFixed(2),
        ].join(''),
      );
    }
    const ratio = rates['product BudgetLedger.reserve']! / rates['bare SQL reserve_cost']!;
    console.log(`${String(callers).padEnd(16)}${'ratio product / bare SQL'.padEnd(30)}${ratio.toFixed(2)}`);
  }
  await pool.end();
  await teardownHarness();
}

await main();
