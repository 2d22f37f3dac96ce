// What the dashboard reads of the records the operator and the runners
// write: attempts, execution events, decisions, the PR review queue and the
// operator's runs. Every row is parsed with the contract's schema.
import type pg from 'pg';
import {
  DAEMON_RUN_COLUMNS,
  DECISION_COLUMNS,
  EXECUTION_EVENT_COLUMNS,
  EXECUTION_SESSION_COLUMNS,
  PULL_REQUEST_REVIEW_COLUMNS,
  daemonRuns,
  decisionQueue,
  executionEvents,
  executionSessions,
  pullRequestReviews,
  type DaemonRunRow,
  type DecisionRecord,
  type ExecutionEvent,
  type ExecutionSession,
  type PullRequestReviewRow,
} from '@nightshift/crds/contract';

export async function sessionsOf(pool: pg.Pool, storyUid: string): Promise<ExecutionSession[]> {
  const { rows } = await pool.query(
    `select ${EXECUTION_SESSION_COLUMNS} from execution_sessions where story_uid = $1 order by attempt`,
    [storyUid],
  );
  return executionSessions.parseAll(rows);
}

/** Every event of a story but heartbeats, in the order they were written. */
export async function eventsOf(pool: pg.Pool, storyUid: string, max = 20_000): Promise<ExecutionEvent[]> {
  const { rows } = await pool.query(
    `select ${EXECUTION_EVENT_COLUMNS} from execution_events where story_uid = $1 and type <> 'Heartbeat'
      order by id limit $2`,
    [storyUid, max],
  );
  return executionEvents.parseAll(rows);
}

export async function eventsBetween(
  pool: pg.Pool,
  from: Date,
  to: Date,
  max: number,
): Promise<{ events: ExecutionEvent[]; truncated: boolean }> {
  const { rows } = await pool.query(
    `select ${EXECUTION_EVENT_COLUMNS} from execution_events
      where occurred_at >= $1 and occurred_at <= $2 and type <> 'Heartbeat' order by occurred_at, id limit $3`,
    [from, to, max + 1],
  );
  return { events: executionEvents.parseAll(rows.slice(0, max)), truncated: rows.length > max };
}

export async function eventsByIds(pool: pg.Pool, ids: number[]): Promise<Map<number, ExecutionEvent>> {
  if (ids.length === 0) return new Map();
  const { rows } = await pool.query(
    `select ${EXECUTION_EVENT_COLUMNS} from execution_events where id = any($1::bigint[])`,
    [ids],
  );
  return new Map(executionEvents.parseAll(rows).map((e) => [Number(e.id), e]));
}

export async function decisionsOf(pool: pg.Pool, storyUid: string): Promise<DecisionRecord[]> {
  const { rows } = await pool.query(
    `select ${DECISION_COLUMNS} from decision_queue where story_uid = $1 order by asked_at, id`,
    [storyUid],
  );
  return decisionQueue.parseAll(rows);
}

export async function decision(pool: pg.Pool, id: string): Promise<DecisionRecord | undefined> {
  const { rows } = await pool.query(`select ${DECISION_COLUMNS} from decision_queue where id = $1`, [id]);
  return rows[0] === undefined ? undefined : decisionQueue.parse(rows[0]);
}

export interface DecisionQuery {
  state: 'pending' | 'answered' | 'all';
  namespaces: readonly string[] | undefined;
  name?: string | undefined;
  /** Page after this (asked_at, id). */
  after?: { askedAt: string; id: string } | undefined;
  limit: number;
}

/** Newest first. "pending" means not answered in the records; the caller also checks spec.decisions. */
export async function listDecisions(pool: pg.Pool, q: DecisionQuery): Promise<DecisionRecord[]> {
  const { rows } = await pool.query(
    `select ${DECISION_COLUMNS} from decision_queue
      where ($1 = 'all' or ($1 = 'pending') = (answered_at is null))
        and ($2::text[] is null or namespace = any($2)) and ($3::text is null or name = $3)
        and ($4::timestamptz is null or (asked_at, id) < ($4, $5))
      order by asked_at desc, id desc limit $6`,
    [q.state, q.namespaces ?? null, q.name ?? null, q.after?.askedAt ?? null, q.after?.id ?? null, q.limit],
  );
  return decisionQueue.parseAll(rows);
}

export async function reviewOf(pool: pg.Pool, storyUid: string): Promise<PullRequestReviewRow | undefined> {
  const { rows } = await pool.query(`select ${PULL_REQUEST_REVIEW_COLUMNS} from pr_review_queue where story_uid = $1`, [
    storyUid,
  ]);
  return rows[0] === undefined ? undefined : pullRequestReviews.parse(rows[0]);
}

export async function listReviews(
  pool: pg.Pool,
  q: { state: string; namespaces: readonly string[] | undefined; beforeId?: number | undefined; limit: number },
): Promise<PullRequestReviewRow[]> {
  const { rows } = await pool.query(
    `select ${PULL_REQUEST_REVIEW_COLUMNS} from pr_review_queue
      where ($1 = 'all' or review_state = $1) and ($2::text[] is null or namespace = any($2))
        and ($3::bigint is null or id < $3)
      order by id desc limit $4`,
    [q.state, q.namespaces ?? null, q.beforeId ?? null, q.limit],
  );
  return pullRequestReviews.parseAll(rows);
}

export async function operatorRuns(pool: pg.Pool, limit = 20): Promise<DaemonRunRow[]> {
  const { rows } = await pool.query(`select ${DAEMON_RUN_COLUMNS} from daemon_runs order by started_at desc limit $1`, [
    limit,
  ]);
  return daemonRuns.parseAll(rows);
}

/** Finished stories per day and spend per day (the cost ledger), in a time zone. */
export async function dailyFigures(
  pool: pg.Pool,
  { timezone, since, namespaces }: { timezone: string; since: Date; namespaces: readonly string[] | undefined },
): Promise<{ day: string; phase: string; stories: number }[]> {
  const { rows } = await pool.query(
    `select to_char(e.occurred_at at time zone $1, 'YYYY-MM-DD') as day, e.data->>'phase' as phase,
            count(distinct e.story_uid)::int as stories
       from execution_events e
      where e.source = 'operator' and e.occurred_at >= $2 and e.data->>'phase' in ('Succeeded', 'Failed', 'Aborted')
        and e.type not in ('Deleted')
        and ($3::text[] is null or exists (select 1 from resource_state r
                                            where r.kind = 'StoryRun' and r.uid = e.story_uid and r.namespace = any($3)))
      group by 1, 2`,
    [timezone, since, namespaces ?? null],
  );
  return rows.map((r) => ({ day: String(r.day), phase: String(r.phase), stories: Number(r.stories) }));
}

export async function dailySpend(
  pool: pg.Pool,
  { timezone, since }: { timezone: string; since: Date },
): Promise<{ day: string; usd: number }[]> {
  const { rows } = await pool.query(
    `select to_char(settled_at at time zone $1, 'YYYY-MM-DD') as day, coalesce(sum(actual_usd), 0)::float8 as usd
       from cost_reservations where state = 'settled' and settled_at >= $2 group by 1`,
    [timezone, since],
  );
  return rows.map((r) => ({ day: String(r.day), usd: Number(r.usd) }));
}
