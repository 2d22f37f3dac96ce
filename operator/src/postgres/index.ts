export { createPool, redactURL, SCHEMA, type PoolOptions } from './pool.ts';
export { migrate, MIGRATIONS_DIR, type MigrationResult } from './migrate.ts';
export { ensureEmbeddedPostgres, createDatabase, type EmbeddedPostgresHandle } from './embedded.ts';
