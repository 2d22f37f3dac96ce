// execution_sessions: one row per pod attempt of a StoryRun, keyed by
// (story_uid, attempt) so a repeated reconcile never writes one twice.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { SessionOutcome, SessionView } from '../storyrun/observation.ts';

const COLUMNS = `id, attempt, mode, pod_name, pod_uid, step, cost_usd, max_cost_usd, created_at, heartbeat_at, ended_at, outcome, outcome_detail`;

function toView(row: Record<string, unknown>): SessionView {
  return {
    id: row.id as string,
    attempt: row.attempt as number,
    mode: row.mode as SessionView['mode'],
    podName: row.pod_name as string,
    podUid: (row.pod_uid as string | null) ?? null,
    step: (row.step as string | null) ?? null,
    costUSD: Number(row.cost_usd ?? 0),
    maxCostUSD: row.max_cost_usd === null || row.max_cost_usd === undefined ? null : Number(row.max_cost_usd),
    createdAt: row.created_at as Date,
    heartbeatAt: (row.heartbeat_at as Date | null) ?? null,
    endedAt: (row.ended_at as Date | null) ?? null,
    outcome: (row.outcome as SessionOutcome | null) ?? null,
    outcomeDetail: (row.outcome_detail as Record<string, unknown> | null) ?? null,
  };
}

export async function listSessions(pool: pg.Pool, storyUid: string): Promise<SessionView[]> {
  const { rows } = await pool.query(`select ${COLUMNS} from execution_sessions where story_uid = $1 order by attempt`, [
    storyUid,
  ]);
  return rows.map(toView);
}

export interface NewSession {
  storyUid: string;
  namespace: string;
  name: string;
  storyId: string;
  attempt: number;
  mode: 'run' | 'salvage';
  podName: string;
  maxCostUSD: number | undefined;
  daemonRunId: string | undefined;
}

/** Inserts the attempt's row unless it exists; returns the row either way. */
export async function ensureSession(pool: pg.Pool, s: NewSession): Promise<SessionView> {
  const inserted = await pool.query(
    `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, mode, pod_name, max_cost_usd, daemon_run_id)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
     on conflict (story_uid, attempt) do nothing
     returning ${COLUMNS}`,
    [
      randomUUID(),
      s.storyUid,
      s.namespace,
      s.name,
      s.storyId,
      s.attempt,
      s.mode,
      s.podName,
      s.maxCostUSD ?? null,
      s.daemonRunId ?? null,
    ],
  );
  if (inserted.rows[0]) return toView(inserted.rows[0]);
  const { rows } = await pool.query(`select ${COLUMNS} from execution_sessions where story_uid = $1 and attempt = $2`, [
    s.storyUid,
    s.attempt,
  ]);
  return toView(rows[0]);
}

export async function recordPodCreated(pool: pg.Pool, sessionId: string, podUid: string): Promise<void> {
  await pool.query('update execution_sessions set pod_uid = $2 where id = $1 and pod_uid is null', [sessionId, podUid]);
}

/** Ends an attempt whose runner recorded no outcome (its pod died, or we stopped it). Once only. */
export async function recordEnd(
  pool: pg.Pool,
  sessionId: string,
  outcome: 'Crashed' | 'Paused',
  detail: Record<string, unknown>,
): Promise<void> {
  await pool.query(
    `update execution_sessions set ended_at = now(), outcome = $2, outcome_detail = $3 where id = $1 and ended_at is null`,
    [sessionId, outcome, detail],
  );
}

/** Ends every attempt still open (the StoryRun is gone), as crashed with a reason. */
export async function closeOpenSessions(
  pool: pg.Pool,
  storyUid: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await pool.query(
    `update execution_sessions set ended_at = now(), outcome = 'Crashed', outcome_detail = $2
      where story_uid = $1 and ended_at is null`,
    [storyUid, detail],
  );
}
