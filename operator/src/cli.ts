// nightshift-operator start|stop|status|migrate
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config/load.ts';
import { isAlive, readPid } from './pid-file.ts';

const USAGE = `usage: nightshift-operator <command> [--config FILE]

commands:
  start [--detach] [--log FILE]  run the operator (in the foreground unless --detach)
  stop [--timeout SECONDS]       stop the running operator gracefully (SIGTERM)
  status                         is it running, and is it healthy
  migrate                        apply the database migrations and exit

Configuration: the YAML file given with --config (or NIGHTSHIFT_CONFIG), then
environment variables (DATABASE_URL, NIGHTSHIFT_*); see the README.`;

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      detach: { type: 'boolean', default: false },
      log: { type: 'string' },
      timeout: { type: 'string', default: '60' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  const file = values.config ?? process.env.NIGHTSHIFT_CONFIG;
  let config;
  try {
    config = loadConfig({ ...(file ? { file } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`nightshift-operator: ${error.message}`);
      return 78; // EX_CONFIG
    }
    throw error;
  }

  switch (command) {
    case 'start': {
      if (values.detach) {
        const out = values.log ? openSync(values.log, 'a') : 'ignore';
        const child = spawn(process.execPath, [process.argv[1]!, 'start', ...(file ? ['--config', file] : [])], {
          detached: true,
          stdio: ['ignore', out, out],
        });
        child.unref();
        console.log(`nightshift-operator started (pid ${child.pid})${values.log ? `, logging to ${values.log}` : ''}`);
        return 0;
      }
      const { runOperator } = await import('./operator.ts');
      return runOperator(config);
    }
    case 'stop': {
      const pid = readPid(config.pidFile);
      if (pid === undefined || !isAlive(pid)) {
        console.log('nightshift-operator is not running');
        return 0;
      }
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + Number(values.timeout) * 1000;
      while (isAlive(pid)) {
        if (Date.now() > deadline) {
          console.error(`nightshift-operator (pid ${pid}) did not stop within ${values.timeout} s`);
          return 1;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      console.log(`nightshift-operator (pid ${pid}) stopped`);
      return 0;
    }
    case 'status': {
      const pid = readPid(config.pidFile);
      if (pid === undefined || !isAlive(pid)) {
        console.log('nightshift-operator is not running');
        return 3;
      }
      const url = `http://127.0.0.1:${config.http.port}`;
      const ready = await fetch(`${url}/readyz`).then(
        async (r) => `${r.status === 200 ? 'ready' : 'not ready'}: ${(await r.text()).trim()}`,
        (error: Error) => `probe unreachable at ${url}: ${error.message}`,
      );
      console.log(`nightshift-operator is running (pid ${pid}); ${ready}`);
      return 0;
    }
    case 'migrate': {
      const { openDatabase } = await import('./database.ts');
      const db = await openDatabase(config);
      console.log(db.applied.length ? `applied: ${db.applied.join(', ')}` : 'database is up to date');
      await db.close(); // an embedded server stays up: an operator may be using it
      return 0;
    }
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}
