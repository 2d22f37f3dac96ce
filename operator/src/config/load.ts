// Loads the configuration: defaults < YAML file < environment variables.
// A bad value stops the process with a message naming the field and where it
// came from.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

import { configSchema, type OperatorConfig } from './schema.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Environment variables and the config field each sets. */
const ENVIRONMENT: Record<string, { path: string[]; type: 'string' | 'number' | 'boolean' | 'list' }> = {
  DATABASE_URL: { path: ['database', 'url'], type: 'string' },
  KUBECONFIG: { path: ['kubeconfig'], type: 'string' },
  NIGHTSHIFT_IDENTITY: { path: ['identity'], type: 'string' },
  NIGHTSHIFT_NAMESPACES: { path: ['namespaces'], type: 'list' },
  NIGHTSHIFT_WORKERS: { path: ['workers'], type: 'number' },
  NIGHTSHIFT_LOG_LEVEL: { path: ['logLevel'], type: 'string' },
  NIGHTSHIFT_PID_FILE: { path: ['pidFile'], type: 'string' },
  NIGHTSHIFT_HTTP_PORT: { path: ['http', 'port'], type: 'number' },
  NIGHTSHIFT_EMBEDDED_POSTGRES_DIR: { path: ['database', 'embedded', 'dataDir'], type: 'string' },
  NIGHTSHIFT_EMBEDDED_POSTGRES_PORT: { path: ['database', 'embedded', 'port'], type: 'number' },
  NIGHTSHIFT_LEADER_ELECTION: { path: ['leaderElection', 'enabled'], type: 'boolean' },
  NIGHTSHIFT_LEADER_ELECTION_NAMESPACE: { path: ['leaderElection', 'namespace'], type: 'string' },
  NIGHTSHIFT_RUNNER_IMAGE: { path: ['runner', 'image'], type: 'string' },
  NIGHTSHIFT_RUNNER_HOST_NETWORK: { path: ['runner', 'hostNetwork'], type: 'boolean' },
  NIGHTSHIFT_RUNNER_DATABASE_URL: { path: ['runner', 'databaseURL'], type: 'string' },
  NIGHTSHIFT_DASHBOARD_URL: { path: ['runner', 'dashboardURL'], type: 'string' },
  NIGHTSHIFT_WORKSPACE_FIX_PERMISSIONS: { path: ['workspace', 'fixPermissions'], type: 'boolean' },
};

function coerce(name: string, raw: string, type: 'string' | 'number' | 'boolean' | 'list'): unknown {
  switch (type) {
    case 'string':
      return raw;
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    case 'number': {
      const value = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(value))
        throw new ConfigError(`invalid configuration: ${name}=${JSON.stringify(raw)} is not a number`);
      return value;
    }
    case 'boolean':
      if (/^(true|1|yes)$/i.test(raw)) return true;
      if (/^(false|0|no)$/i.test(raw)) return false;
      throw new ConfigError(`invalid configuration: ${name}=${JSON.stringify(raw)} is not a boolean (true/false)`);
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path.at(-1)!] = value;
}

function readFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = parse(text) ?? {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid YAML: ${(error as Error).message}`);
  }
}

export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv } = {}): OperatorConfig {
  const env = options.env ?? process.env;
  const raw: Record<string, unknown> = options.file ? readFile(options.file) : {};
  const fromEnv = new Map<string, string>();
  for (const [name, { path, type }] of Object.entries(ENVIRONMENT)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    setPath(raw, path, coerce(name, value, type));
    fromEnv.set(path.join('.'), name);
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const field = issue.path.join('.');
      const source = fromEnv.get(field) ? ` (from ${fromEnv.get(field)})` : options.file ? ` (in ${options.file})` : '';
      return `  ${field || '<root>'}${source}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  return result.data;
}
