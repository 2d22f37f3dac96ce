// The runner's configuration, parsed once at start-up from the environment
// the operator sets (docs/adr/0001-operator-runner-contract.md). Nothing else
// reads process.env. A bad or missing value fails with the variable named.
import { objectMetaSchema, storyRunSchema, type StoryRun } from '@nightshift/crds';
import { z } from 'zod';

const priceSchema = z.object({
  input_mtok: z.number().min(0),
  output_mtok: z.number().min(0),
  cache_read_mtok: z.number().min(0).optional(),
  cache_write_mtok: z.number().min(0).optional(),
});
export type ModelPrice = z.infer<typeof priceSchema>;

const authorSchema = z
  .string()
  .regex(/^[^<>]+ <[^<>\s]+>$/, 'expected "Name <email>"')
  .transform((s) => {
    const m = /^(.+?) <(.+)>$/.exec(s)!;
    return { name: m[1]!, email: m[2]! };
  });

const optionalString = z
  .string()
  .optional()
  .transform((s) => (s === '' ? undefined : s));

const json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
    return z.NEVER;
  }
});

const envSchema = z.object({
  NIGHTSHIFT_STORYRUN: json.pipe(
    storyRunSchema.extend({
      metadata: objectMetaSchema.extend({ name: z.string().min(1), namespace: z.string().min(1), uid: z.uuid() }),
    }),
  ),
  NIGHTSHIFT_SESSION_ID: z.uuid(),
  NIGHTSHIFT_ATTEMPT: z.coerce.number().int().min(1),
  NIGHTSHIFT_MODE: z.enum(['run', 'salvage']),
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'),
  NIGHTSHIFT_GIT_TOKEN: optionalString,
  NIGHTSHIFT_AGENT_API_KEY: optionalString,
  NIGHTSHIFT_WORKSPACE: z.string().min(1).default('/workspace'),
  NIGHTSHIFT_DASHBOARD_URL: z
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Optional runner settings (ADR 0001, "Optional runner settings").
  NIGHTSHIFT_MODEL_PRICES: json.pipe(z.record(z.string(), priceSchema)).optional(),
  NIGHTSHIFT_GIT_AUTHOR: authorSchema.default({ name: 'Nightshift', email: 'nightshift@localhost' }),
  NIGHTSHIFT_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  NIGHTSHIFT_TERMINATION_LOG: z.string().default('/dev/termination-log'),
  NIGHTSHIFT_RESERVATION_TTL_SECONDS: z.coerce.number().int().min(10).default(900),
  NIGHTSHIFT_HEARTBEAT_SECONDS: z.coerce.number().min(0.1).default(10),
});

export interface RunnerConfig {
  storyRun: StoryRun & { metadata: { name: string; namespace: string; uid: string } };
  sessionId: string;
  attempt: number;
  mode: 'run' | 'salvage';
  databaseURL: string;
  gitToken: string | undefined;
  agentApiKey: string | undefined;
  workspace: string;
  dashboardURL: string | undefined;
  modelPrices: Record<string, ModelPrice>;
  gitAuthor: { name: string; email: string };
  logLevel: string;
  terminationLogPath: string;
  reservationTTLSeconds: number;
  heartbeatSeconds: number;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function parseConfig(env: NodeJS.ProcessEnv): RunnerConfig {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const [variable, ...rest] = issue.path.map(String);
      const where = rest.length > 0 ? `${variable} (at ${rest.join('.')})` : variable;
      return `${where}: ${issue.message}`;
    });
    throw new ConfigError(`invalid runner configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  return {
    storyRun: e.NIGHTSHIFT_STORYRUN as RunnerConfig['storyRun'],
    sessionId: e.NIGHTSHIFT_SESSION_ID,
    attempt: e.NIGHTSHIFT_ATTEMPT,
    mode: e.NIGHTSHIFT_MODE,
    databaseURL: e.DATABASE_URL,
    gitToken: e.NIGHTSHIFT_GIT_TOKEN,
    agentApiKey: e.NIGHTSHIFT_AGENT_API_KEY,
    workspace: e.NIGHTSHIFT_WORKSPACE,
    dashboardURL: e.NIGHTSHIFT_DASHBOARD_URL,
    modelPrices: e.NIGHTSHIFT_MODEL_PRICES ?? {},
    gitAuthor: e.NIGHTSHIFT_GIT_AUTHOR,
    logLevel: e.NIGHTSHIFT_LOG_LEVEL,
    terminationLogPath: e.NIGHTSHIFT_TERMINATION_LOG,
    reservationTTLSeconds: e.NIGHTSHIFT_RESERVATION_TTL_SECONDS,
    heartbeatSeconds: e.NIGHTSHIFT_HEARTBEAT_SECONDS,
  };
}

/**
 * Values scrubbed from every log line. Long values only: real tokens and
 * passwords are, and scrubbing a short common word would mangle paths and
 * branch names in the logs.
 */
export function secretsOf(config: Pick<RunnerConfig, 'gitToken' | 'agentApiKey' | 'databaseURL'>): string[] {
  const secrets = [config.gitToken, config.agentApiKey];
  try {
    const password = new URL(config.databaseURL).password;
    if (password) secrets.push(decodeURIComponent(password));
  } catch {
    // unparseable URLs were rejected by the schema
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 12);
}
