// The runner's connection pool to the Nightshift database (schema autonomous).
// The runner image ships without the operator package, so this mirrors
// operator/src/postgres/pool.ts with plain pg.
import pg from 'pg';

export const SCHEMA = 'autonomous';

export function createPool(databaseURL: string, max = 8): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseURL,
    application_name: 'nightshift-runner',
    max,
    options: `-c search_path=${SCHEMA},public`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  pool.on('error', () => {}); // an idle client dropped; the next query reconnects
  return pool;
}
