// daemon_runs: one row per operator start — who ran, with which configuration
// (secrets redacted), and how it ended. The heartbeat keeps last_seen_at
// fresh; a run whose heartbeat is older than staleAfterSeconds without a
// goodbye is closed as crashed by whichever operator notices first (the next
// start, or a live replica's heartbeat), so history never shows a dead
// operator as running.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';
import { z } from 'zod';

export interface DaemonRun {
  id: string;
  heartbeat(): Promise<void>;
  /** Records a goodbye: stopped, with its reason. */
  stop(reason: string): Promise<void>;
}

export interface DaemonRunOptions {
  identity: string;
  version: string;
  /** The configuration this run started with, secrets already redacted. */
  config: Record<string, unknown>;
  /** A run without a heartbeat for this long is taken for dead. */
  staleAfterSeconds: number;
}

const closedSchema = z.object({ n: z.coerce.number().int() });

/** Closes runs that stopped heart-beating without a goodbye; returns how many. */
export async function closeCrashedRuns(pool: pg.Pool, staleAfterSeconds: number): Promise<number> {
  const { rows } = await pool.query(
    `with closed as (
       update daemon_runs
          set status = 'crashed', stopped_at = last_seen_at,
              stop_reason = 'no heartbeat since ' || to_char(last_seen_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        where status = 'running' and last_seen_at < now() - make_interval(secs => $1)
        returning 1)
     select count(*) as n from closed`,
    [staleAfterSeconds],
  );
  return closedSchema.parse(rows[0]).n;
}

export async function startDaemonRun(
  pool: pg.Pool,
  options: DaemonRunOptions,
): Promise<DaemonRun & { closedCrashed: number }> {
  const closedCrashed = await closeCrashedRuns(pool, options.staleAfterSeconds);
  const id = randomUUID();
  await pool.query(
    `insert into daemon_runs (id, identity, hostname, pid, version, status, config)
     values ($1, $2, $3, $4, $5, 'running', $6)`,
    [id, options.identity, hostname(), process.pid, options.version, JSON.stringify(options.config)],
  );
  return {
    id,
    closedCrashed,
    heartbeat: async () => {
      // A run closed as crashed by mistake (a long GC pause, a partition) comes back to life.
      await pool.query(
        `update daemon_runs set last_seen_at = now(), status = 'running', stopped_at = null, stop_reason = null
          where id = $1 and status <> 'stopped'`,
        [id],
      );
      await closeCrashedRuns(pool, options.staleAfterSeconds);
    },
    stop: async (reason) => {
      await pool.query(
        `update daemon_runs set status = 'stopped', stopped_at = now(), stop_reason = $2
          where id = $1 and status <> 'stopped'`,
        [id, reason],
      );
    },
  };
}
