// Opens the operator's database: the configured URL, or the embedded default,
// migrated to the current schema.
import type pg from 'pg';
import type { OperatorConfig } from './config/schema.ts';
import { createPool, ensureEmbeddedPostgres, migrate } from './postgres/index.ts';

export interface Database {
  url: string;
  pool: pg.Pool;
  applied: string[];
  embedded: boolean;
}

export async function openDatabase(config: OperatorConfig): Promise<Database> {
  let url = config.database.url;
  const embedded = !url;
  if (!url) url = (await ensureEmbeddedPostgres(config.database.embedded)).url;
  const { applied } = await migrate(url);
  return {
    url,
    pool: createPool(url, { applicationName: `nightshift-operator/${config.identity}` }),
    applied,
    embedded,
  };
}
