// Opens the operator's database: the configured URL, or the embedded default,
// migrated to the current schema. An embedded server this operator runs —
// started now, or adopted from an operator that crashed — is stopped when it
// closes the database on a graceful shutdown, so nothing outlives `npm start`;
// after a crash it keeps running and the next start adopts it.
import type pg from 'pg';
import type { OperatorConfig } from './config/schema.ts';
import { createPool, ensureEmbeddedPostgres, migrate, type EmbeddedPostgresHandle } from './postgres/index.ts';

export interface Database {
  url: string;
  pool: pg.Pool;
  applied: string[];
  /** Set when the database is the embedded default; reused: it was already running (adopted). */
  embedded: { reused: boolean } | undefined;
  /** Ends the pool; with stopEmbeddedServer also stops the embedded server this operator runs (a graceful stop). */
  close(options?: { stopEmbeddedServer?: boolean }): Promise<void>;
}

export async function openDatabase(config: Pick<OperatorConfig, 'database' | 'identity'>): Promise<Database> {
  let server: EmbeddedPostgresHandle | undefined;
  let url = config.database.url;
  if (!url) {
    server = await ensureEmbeddedPostgres(config.database.embedded);
    url = server.url;
  }
  const { applied } = await migrate(url);
  const pool = createPool(url, { applicationName: `nightshift-operator/${config.identity}` });
  return {
    url,
    pool,
    applied,
    embedded: server ? { reused: server.reused } : undefined,
    close: async ({ stopEmbeddedServer = false } = {}) => {
      await pool.end().catch(() => {});
      if (stopEmbeddedServer) await server?.stop();
    },
  };
}
