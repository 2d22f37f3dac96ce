// What happened in a period, from the records: the stories that finished (the
// transitions that completed them), the questions still open, the attempts
// started and what the ledger settled. Read once, when the period ends; the
// summary is kept in the outbox as it was then.
import type pg from 'pg';
import { DateTime } from 'luxon';
import { z } from 'zod';
import {
  attemptOutcomeSchema,
  defineTable,
  numericColumn,
  timestampColumn,
  type Summary,
} from '@nightshift/crds/contract';
import type { Period } from '../periods.ts';
import { LATEST_ATTEMPT } from './story-events.ts';

const finishedRows = defineTable(
  'execution_events',
  z.object({
    id: z.string(),
    type: z.string(),
    phase: z.enum(['Succeeded', 'Failed', 'Aborted']),
    occurred_at: timestampColumn,
    namespace: z.string(),
    name: z.string(),
    title: z.string().nullable(),
    cost_usd: numericColumn,
    outcome: z.string().nullable(),
    outcome_detail: z.unknown(),
  }),
  (row) => row.id,
);
const waitingRows = defineTable(
  'decision_queue',
  z.object({
    id: z.string(),
    namespace: z.string(),
    name: z.string(),
    question: z.string(),
    asked_at: timestampColumn,
  }),
  (row) => row.id,
);
const spendRows = defineTable(
  'cost_reservations',
  z.object({ day: z.string(), spent: numericColumn }),
  (row) => row.day,
);

/** namespaces = [] means every namespace. */
export async function summarize(
  db: pg.ClientBase,
  period: Period,
  namespaces: string[],
  weekly = false,
): Promise<Summary> {
  const range = [period.start, period.end, namespaces];
  const inNamespaces = `($3::text[] = '{}' or s.namespace = any($3))`;
  const finished = finishedRows.parseAll(
    (
      await db.query(
        `select e.id::text, e.type, e.data->>'phase' as phase, e.occurred_at, s.namespace, s.name, s.title, s.cost_usd,
                s.outcome, s.outcome_detail
           from execution_events e ${LATEST_ATTEMPT}
          where e.source = 'operator' and e.data ? 'completes' and e.occurred_at >= $1 and e.occurred_at < $2
            and ${inNamespaces}
          order by e.occurred_at`,
        range,
      )
    ).rows,
  );
  const waiting = waitingRows.parseAll(
    (
      await db.query(
        `select d.id, d.namespace, d.name, d.question, d.asked_at from decision_queue d
          where d.answered_at is null and d.asked_at < $1 and ($2::text[] = '{}' or d.namespace = any($2))
          order by d.asked_at`,
        [period.end, namespaces],
      )
    ).rows,
  );
  const { rows: startedRows } = await db.query<{ n: number }>(
    `select count(*)::int as n from execution_events e ${LATEST_ATTEMPT}
      where e.source = 'operator' and e.type = 'Started' and e.occurred_at >= $1 and e.occurred_at < $2 and ${inNamespaces}`,
    range,
  );
  // What the ledger settled for these stories, per local day (the weekly report's rows).
  const spend = spendRows.parseAll(
    (
      await db.query(
        `select to_char(r.settled_at at time zone $4, 'YYYY-MM-DD') as day, sum(r.actual_usd) as spent
           from cost_reservations r
           join lateral (select x.namespace from execution_sessions x where x.story_uid = r.story_uid limit 1) s on true
          where r.state = 'settled' and r.settled_at >= $1 and r.settled_at < $2 and ${inNamespaces}
          group by 1 order by 1`,
        [...range, period.timeZone],
      )
    ).rows,
  );

  const story = (row: (typeof finished)[number]) => {
    const outcome = attemptOutcomeSchema.safeParse({ outcome: row.outcome, detail: row.outcome_detail });
    return {
      namespace: row.namespace,
      name: row.name,
      ...(row.title ? { title: row.title } : {}),
      at: row.occurred_at.toISOString(),
      costUSD: row.cost_usd,
      ...(outcome.success && outcome.data.outcome === 'Succeeded'
        ? { pullRequestURL: outcome.data.detail.pullRequest.url }
        : { reason: row.type }),
    };
  };
  const completed = finished.filter((f) => f.phase === 'Succeeded').map(story);
  const failed = finished.filter((f) => f.phase === 'Failed').map(story);
  const summary: Summary = {
    start: period.start.toISOString(),
    end: period.end.toISOString(),
    timeZone: period.timeZone,
    completed,
    failed,
    waiting: waiting.map((w) => ({
      id: w.id,
      namespace: w.namespace,
      name: w.name,
      question: w.question,
      askedAt: w.asked_at.toISOString(),
    })),
    started: startedRows[0]?.n ?? 0,
    spentUSD: round(spend.reduce((sum, d) => sum + d.spent, 0)),
  };
  if (weekly) summary.perDay = perDay(period, completed, failed, spend);
  return summary;
}

const round = (usd: number) => Math.round(usd * 1e6) / 1e6;

function perDay(
  period: Period,
  completed: { at: string }[],
  failed: { at: string }[],
  spend: { day: string; spent: number }[],
): NonNullable<Summary['perDay']> {
  const dayOf = (iso: string) => DateTime.fromISO(iso, { zone: period.timeZone }).toFormat('yyyy-MM-dd');
  const days: NonNullable<Summary['perDay']> = [];
  let day = DateTime.fromJSDate(period.start, { zone: period.timeZone }).startOf('day');
  const last = DateTime.fromJSDate(period.end, { zone: period.timeZone });
  while (day < last) {
    const date = day.toFormat('yyyy-MM-dd');
    days.push({
      date,
      completed: completed.filter((c) => dayOf(c.at) === date).length,
      failed: failed.filter((f) => dayOf(f.at) === date).length,
      spentUSD: round(spend.find((s) => s.day === date)?.spent ?? 0),
    });
    day = day.plus({ days: 1 });
  }
  return days;
}
