// execution_sessions: one row per pod attempt of a StoryRun, keyed by
// (story_uid, attempt) so a repeated reconcile never writes one twice. Rows
// are parsed with the contract's schema (@nightshift/crds/contract).
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { z } from 'zod';
import {
  EXECUTION_SESSION_COLUMNS,
  defineTable,
  executionSessions,
  uuidColumn,
  type ExecutionSession,
  type OperatorRecordedOutcome,
  type RunnerMode,
  type StoryRunSnapshot,
} from '@nightshift/crds/contract';

export type { ExecutionSession } from '@nightshift/crds/contract';

export async function listSessions(pool: pg.Pool, storyUid: string): Promise<ExecutionSession[]> {
  const { rows } = await pool.query(
    `select ${EXECUTION_SESSION_COLUMNS} from execution_sessions where story_uid = $1 order by attempt`,
    [storyUid],
  );
  return executionSessions.parseAll(rows);
}

export interface NewSession {
  /** What the runner works from: the StoryRun as it is when the pod is made. */
  snapshot: StoryRunSnapshot;
  attempt: number;
  mode: RunnerMode;
  podName: string;
  daemonRunId: string | undefined;
  /** The Budgets the attempt draws on besides its cap ('<namespace>/<name>'). */
  budgetKeys?: string[];
}

/** Inserts the attempt's row unless it exists; returns the row either way. */
export async function ensureSession(pool: pg.Pool, s: NewSession): Promise<ExecutionSession> {
  const { metadata, spec } = s.snapshot;
  const inserted = await pool.query(
    `insert into execution_sessions
       (id, story_uid, namespace, name, story_id, attempt, mode, pod_name, max_cost_usd, daemon_run_id, storyrun,
        budget_keys)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     on conflict (story_uid, attempt) do nothing
     returning ${EXECUTION_SESSION_COLUMNS}`,
    [
      randomUUID(),
      metadata.uid,
      metadata.namespace,
      metadata.name,
      spec.story.id,
      s.attempt,
      s.mode,
      s.podName,
      spec.maxCostUSD ?? null,
      s.daemonRunId ?? null,
      JSON.stringify(s.snapshot),
      s.budgetKeys ?? [],
    ],
  );
  if (inserted.rows[0]) return executionSessions.parse(inserted.rows[0]);
  const { rows } = await pool.query(
    `select ${EXECUTION_SESSION_COLUMNS} from execution_sessions where story_uid = $1 and attempt = $2`,
    [metadata.uid, s.attempt],
  );
  return executionSessions.parse(rows[0]);
}

export async function recordPodCreated(pool: pg.Pool, sessionId: string, podUid: string): Promise<void> {
  await pool.query('update execution_sessions set pod_uid = $2 where id = $1 and pod_uid is null', [sessionId, podUid]);
}

/** Ends an attempt whose runner recorded no outcome (its pod died, or we stopped it). Once only. */
export async function recordEnd(pool: pg.Pool, sessionId: string, end: OperatorRecordedOutcome): Promise<void> {
  await pool.query(
    `update execution_sessions set ended_at = now(), outcome = $2, outcome_detail = $3 where id = $1 and ended_at is null`,
    [sessionId, end.outcome, JSON.stringify(end.detail)],
  );
}

const openStory = defineTable(
  'execution_sessions',
  z.object({ story_uid: uuidColumn, namespace: z.string() }),
  (row) => row.story_uid,
);

/** The stories with an attempt still open (no outcome yet), for the orphan sweep. */
export async function openStories(pool: pg.Pool): Promise<{ uid: string; namespace: string }[]> {
  const { rows } = await pool.query(
    'select distinct story_uid, namespace from execution_sessions where ended_at is null',
  );
  return openStory.parseAll(rows).map((r) => ({ uid: r.story_uid, namespace: r.namespace }));
}

/** Ends every attempt still open (the StoryRun is gone), as crashed with a reason. */
export async function closeOpenSessions(pool: pg.Pool, storyUid: string, message: string): Promise<void> {
  const detail: OperatorRecordedOutcome['detail'] = { reason: 'Deleted', message };
  await pool.query(
    `update execution_sessions set ended_at = now(), outcome = 'Crashed', outcome_detail = $2
      where story_uid = $1 and ended_at is null`,
    [storyUid, JSON.stringify(detail)],
  );
}
