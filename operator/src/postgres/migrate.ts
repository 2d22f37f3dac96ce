// Applies the versioned SQL migrations in operator/migrations under
// node-pg-migrate's advisory lock, so many replicas (or pods) starting at
// once apply each migration exactly once.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runner } from 'node-pg-migrate';
import { SCHEMA, redactURL } from './pool.ts';

/** operator/migrations, from the sources (src/postgres/) or from the bundle (dist/). */
export const MIGRATIONS_DIR = ['../../migrations', '../migrations']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((dir) => existsSync(dir))!;

export interface MigrationResult {
  applied: string[];
}

export async function migrate(databaseURL: string): Promise<MigrationResult> {
  try {
    const applied = await runner({
      databaseUrl: databaseURL,
      dir: MIGRATIONS_DIR,
      direction: 'up',
      schema: SCHEMA,
      createSchema: true,
      migrationsTable: 'schema_migrations',
      advisoryLockMode: 'wait',
      singleTransaction: true,
      checkOrder: true,
      log: () => {},
    });
    return { applied: applied.map((m) => m.name) };
  } catch (error) {
    throw new Error(`failed to migrate the database at ${redactURL(databaseURL)}: ${(error as Error).message}`, {
      cause: error,
    });
  }
}
