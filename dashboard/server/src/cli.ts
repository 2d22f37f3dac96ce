// nightshift-dashboard start | token create|revoke|list
import { parseArgs } from 'node:util';
import { TOKEN_SCOPES } from '@nightshift/crds/contract';
import { createPool, migrate } from '@nightshift/operator/postgres';
import { ConfigError, loadConfig } from './config.ts';
import { createToken, listTokens, revokeToken, TokenError } from './auth/tokens.ts';

const USAGE = `usage: nightshift-dashboard <command>

commands:
  start                                   serve the dashboard API and WebSocket
  token create NAME [--scope read|write]  make a token (printed once); read tokens only watch
  token revoke NAME                       revoke the live token of that name
  token list                              the tokens: name, scope, created, last used, revoked

Configuration comes from the environment (DATABASE_URL, NIGHTSHIFT_DASHBOARD_*;
see the README).`;

export async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { scope: { type: 'string', default: 'write' }, help: { type: 'boolean', short: 'h', default: false } },
  });
  const [command, sub, name] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`nightshift-dashboard: ${error.message}`);
      return 78;
    }
    throw error;
  }
  if (command === 'start') {
    const { runDashboard } = await import('./server.ts');
    return runDashboard(config);
  }
  if (command !== 'token') {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  await migrate(config.databaseURL);
  const pool = createPool(config.databaseURL, { applicationName: 'nightshift-dashboard-cli', max: 2 });
  try {
    switch (sub) {
      case 'create': {
        if (!name) return usage('token create needs a NAME');
        const scope = TOKEN_SCOPES.find((s) => s === values.scope);
        if (!scope) return usage(`--scope must be read or write, got ${values.scope}`);
        const { token } = await createToken(pool, { name, scope, createdBy: 'cli' });
        console.log(token);
        return 0;
      }
      case 'revoke': {
        if (!name) return usage('token revoke needs a NAME');
        if (!(await revokeToken(pool, name))) {
          console.error(`nightshift-dashboard: no live token named "${name}"`);
          return 1;
        }
        console.log(`revoked ${name}`);
        return 0;
      }
      case 'list': {
        const rows = await listTokens(pool);
        const line = (cells: string[]) =>
          cells
            .map((c, i) => c.padEnd([20, 6, 25, 25, 25][i]!))
            .join(' ')
            .trimEnd();
        console.log(line(['NAME', 'SCOPE', 'CREATED', 'LAST USED', 'REVOKED']));
        for (const t of rows) {
          const iso = (d: Date | null) => d?.toISOString().slice(0, 19).concat('Z') ?? '-';
          console.log(line([t.name, t.scope, iso(t.created_at), iso(t.last_used_at), iso(t.revoked_at)]));
        }
        return 0;
      }
      default:
        return usage(`unknown token command "${sub ?? ''}"`);
    }
  } catch (error) {
    if (error instanceof TokenError) {
      console.error(`nightshift-dashboard: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await pool.end();
  }
}

function usage(message: string): number {
  console.error(`nightshift-dashboard: ${message}\n\n${USAGE}`);
  return 2;
}
