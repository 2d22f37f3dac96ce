// Connection pools to the Nightshift database. Every session sets its
// search_path to the `autonomous` schema, so queries name tables plainly.
import pg from 'pg';

export const SCHEMA = 'autonomous';

export interface PoolOptions {
  applicationName: string;
  max?: number;
}

export function createPool(databaseURL: string, options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseURL,
    application_name: options.applicationName,
    max: options.max ?? 10,
    options: `-c search_path=${SCHEMA},public`,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection (Postgres restarted) must not crash
  // the process; the pool drops it and the next query reconnects.
  pool.on('error', () => {});
  return pool;
}

/** The database URL with its password hidden, for logs and errors. */
export function redactURL(databaseURL: string): string {
  try {
    const url = new URL(databaseURL);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable database URL>';
  }
}
