// One daemon_runs row per operator start: who ran, when, and how it ended.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type pg from 'pg';

export interface DaemonRun {
  id: string;
  heartbeat(): Promise<void>;
  stop(reason: string): Promise<void>;
}

export async function startDaemonRun(pool: pg.Pool, identity: string, version: string): Promise<DaemonRun> {
  const id = randomUUID();
  await pool.query(`insert into daemon_runs (id, identity, hostname, pid, version) values ($1, $2, $3, $4, $5)`, [
    id,
    identity,
    hostname(),
    process.pid,
    version,
  ]);
  return {
    id,
    heartbeat: async () => {
      await pool.query('update daemon_runs set last_seen_at = now() where id = $1', [id]);
    },
    stop: async (reason) => {
      await pool.query(
        'update daemon_runs set stopped_at = now(), stop_reason = $2 where id = $1 and stopped_at is null',
        [id, reason],
      );
    },
  };
}
