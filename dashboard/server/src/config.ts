// The dashboard server's configuration: one zod schema over the environment,
// parsed once at start-up. Nothing else reads process.env. A bad value stops
// the server with a message naming the variable (exit code 78).
import { hostname } from 'node:os';
import { z } from 'zod';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
const seconds = (fallback: number) => z.coerce.number().int().min(1).default(fallback);
const list = z
  .string()
  .default('')
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => ['true', '1', 'yes'].includes(v));

/** Each environment variable and what it sets. */
const environmentSchema = z.object({
  DATABASE_URL: z.string({ message: 'is required: the dashboard reads its records from Postgres' }).min(1),
  KUBECONFIG: z.string().optional(),
  NIGHTSHIFT_NAMESPACES: list.describe('Namespaces to serve; empty means all'),
  NIGHTSHIFT_DASHBOARD_HOST: z.string().default('0.0.0.0'),
  NIGHTSHIFT_DASHBOARD_PORT: port(8090),
  NIGHTSHIFT_DASHBOARD_PROBE_PORT: port(8091).describe('/healthz, /readyz and /metrics'),
  NIGHTSHIFT_DASHBOARD_PUBLIC_URL: z.url().optional().describe('The URL people open; printed at start'),
  NIGHTSHIFT_DASHBOARD_CORS_ORIGINS: list.describe('Origins allowed to call the API from a browser; none by default'),
  NIGHTSHIFT_DASHBOARD_TRUST_PROXY: bool(false).describe('Take the client address from X-Forwarded-For'),
  NIGHTSHIFT_DASHBOARD_HEARTBEAT_SECONDS: seconds(15),
  NIGHTSHIFT_DASHBOARD_MAX_BUFFERED_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(4 * 1024 * 1024)
    .describe('A WebSocket client with more unsent than this leaves the live stream and catches up from the log'),
  NIGHTSHIFT_DASHBOARD_AUTH_FAILURES: z.coerce
    .number()
    .int()
    .min(1)
    .default(10)
    .describe('Failed logins per client address and minute before it is refused (429)'),
  NIGHTSHIFT_DASHBOARD_CHANGE_RETENTION_HOURS: seconds(24 * 7),
  NIGHTSHIFT_DASHBOARD_BOOTSTRAP_TOKEN: bool(true).describe('Create and print a first token when there is none'),
  NIGHTSHIFT_IDENTITY: z.string().min(1).default(`${hostname()}-${process.pid}`),
  NIGHTSHIFT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export interface DashboardConfig {
  databaseURL: string;
  kubeconfig: string | undefined;
  namespaces: string[];
  http: { host: string; port: number };
  probes: { host: string; port: number };
  publicURL: string | undefined;
  corsOrigins: string[];
  trustProxy: boolean;
  heartbeatMs: number;
  maxBufferedBytes: number;
  authFailuresPerMinute: number;
  changeRetentionHours: number;
  bootstrapToken: boolean;
  identity: string;
  logLevel: z.infer<typeof environmentSchema>['NIGHTSHIFT_LOG_LEVEL'];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '<environment>');
      const value = env[name];
      return `  ${name}${value === undefined ? '' : `=${JSON.stringify(value)}`}: ${issue.message}`;
    });
    throw new ConfigError(`invalid configuration:\n${problems.join('\n')}`);
  }
  const e = parsed.data;
  return {
    databaseURL: e.DATABASE_URL,
    kubeconfig: e.KUBECONFIG,
    namespaces: e.NIGHTSHIFT_NAMESPACES,
    http: { host: e.NIGHTSHIFT_DASHBOARD_HOST, port: e.NIGHTSHIFT_DASHBOARD_PORT },
    probes: { host: e.NIGHTSHIFT_DASHBOARD_HOST, port: e.NIGHTSHIFT_DASHBOARD_PROBE_PORT },
    publicURL: e.NIGHTSHIFT_DASHBOARD_PUBLIC_URL,
    corsOrigins: e.NIGHTSHIFT_DASHBOARD_CORS_ORIGINS,
    trustProxy: e.NIGHTSHIFT_DASHBOARD_TRUST_PROXY,
    heartbeatMs: e.NIGHTSHIFT_DASHBOARD_HEARTBEAT_SECONDS * 1000,
    maxBufferedBytes: e.NIGHTSHIFT_DASHBOARD_MAX_BUFFERED_BYTES,
    authFailuresPerMinute: e.NIGHTSHIFT_DASHBOARD_AUTH_FAILURES,
    changeRetentionHours: e.NIGHTSHIFT_DASHBOARD_CHANGE_RETENTION_HOURS,
    bootstrapToken: e.NIGHTSHIFT_DASHBOARD_BOOTSTRAP_TOKEN,
    identity: e.NIGHTSHIFT_IDENTITY,
    logLevel: e.NIGHTSHIFT_LOG_LEVEL,
  };
}
