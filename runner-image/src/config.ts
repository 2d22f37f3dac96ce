// The runner's configuration, parsed once at start-up: the environment the
// operator sets (RUNNER_ENV in the contract, docs/adr/0001 and 0002), and the
// StoryRun snapshot from this attempt's record. Nothing else reads
// process.env. A bad or missing value fails with the variable (or the column)
// named.
import {
  RUNNER_ENV,
  RUNNER_MODES,
  storyRunSnapshotSchema,
  type RunnerMode,
  type StoryRunSnapshot,
} from '@nightshift/crds/contract';
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
  [RUNNER_ENV.sessionId]: z.uuid(),
  [RUNNER_ENV.attempt]: z.coerce.number().int().min(1),
  [RUNNER_ENV.mode]: z.enum(RUNNER_MODES),
  [RUNNER_ENV.databaseURL]: z.string().regex(/^postgres(ql)?:\/\//, 'expected a postgres:// URL'),
  [RUNNER_ENV.gitToken]: optionalString,
  [RUNNER_ENV.agentApiKey]: optionalString,
  [RUNNER_ENV.workspace]: z.string().min(1).default('/workspace'),
  [RUNNER_ENV.dashboardURL]: z
    .url()
    .optional()
    .or(z.literal('').transform(() => undefined)),
  // Optional runner settings (ADR 0001, "Optional runner settings").
  [RUNNER_ENV.modelPrices]: json.pipe(z.record(z.string(), priceSchema)).optional(),
  [RUNNER_ENV.gitAuthor]: authorSchema.default({ name: 'Nightshift', email: 'nightshift@localhost' }),
  [RUNNER_ENV.logLevel]: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).default('info'),
  [RUNNER_ENV.terminationLog]: z.string().default('/dev/termination-log'),
  [RUNNER_ENV.reservationTTLSeconds]: z.coerce.number().int().min(10).default(900),
  [RUNNER_ENV.heartbeatSeconds]: z.coerce.number().min(0.1).default(10),
});

/** What the environment says: everything but the StoryRun. */
export interface RunnerEnvironment {
  sessionId: string;
  attempt: number;
  mode: RunnerMode;
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

export interface RunnerConfig extends RunnerEnvironment {
  storyRun: StoryRunSnapshot;
  /** The Budgets this attempt draws on (execution_sessions.budget_keys). */
  budgetKeys: string[];
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const describe = (issue: z.core.$ZodIssue, name: (head: string) => string) => {
  const [head, ...rest] = issue.path.map(String);
  const where = rest.length > 0 ? `${name(head ?? '')} (at ${rest.join('.')})` : name(head ?? '');
  return `${where}: ${issue.message}`;
};

export function parseEnvironment(env: NodeJS.ProcessEnv): RunnerEnvironment {
  const result = envSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => describe(issue, (variable) => variable));
    throw new ConfigError(`invalid runner configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  return {
    sessionId: e[RUNNER_ENV.sessionId],
    attempt: e[RUNNER_ENV.attempt],
    mode: e[RUNNER_ENV.mode],
    databaseURL: e[RUNNER_ENV.databaseURL],
    gitToken: e[RUNNER_ENV.gitToken],
    agentApiKey: e[RUNNER_ENV.agentApiKey],
    workspace: e[RUNNER_ENV.workspace],
    dashboardURL: e[RUNNER_ENV.dashboardURL],
    modelPrices: e[RUNNER_ENV.modelPrices] ?? {},
    gitAuthor: e[RUNNER_ENV.gitAuthor],
    logLevel: e[RUNNER_ENV.logLevel],
    terminationLogPath: e[RUNNER_ENV.terminationLog],
    reservationTTLSeconds: e[RUNNER_ENV.reservationTTLSeconds],
    heartbeatSeconds: e[RUNNER_ENV.heartbeatSeconds],
  };
}

/** The StoryRun this attempt works, from its record; sessionId names the row in errors. */
export function parseSnapshot(snapshot: unknown, sessionId: string): StoryRunSnapshot {
  const result = storyRunSnapshotSchema.safeParse(snapshot);
  if (result.success) return result.data;
  const column = `execution_sessions.storyrun of row ${sessionId}`;
  const problems = result.error.issues.map(
    (issue) => `${column}${issue.path.length ? ` (at ${issue.path.map(String).join('.')})` : ''}: ${issue.message}`,
  );
  throw new ConfigError(
    snapshot === null || snapshot === undefined
      ? `invalid runner configuration: ${column} is empty (the operator writes the StoryRun there before it makes the pod)`
      : `invalid runner configuration: ${problems.join('; ')}`,
  );
}

/**
 * Values scrubbed from every log line. Long values only: real tokens and
 * passwords are, and scrubbing a short common word would mangle paths and
 * branch names in the logs.
 */
export function secretsOf(config: Pick<RunnerEnvironment, 'gitToken' | 'agentApiKey' | 'databaseURL'>): string[] {
  const secrets = [config.gitToken, config.agentApiKey];
  try {
    const password = new URL(config.databaseURL).password;
    if (password) secrets.push(decodeURIComponent(password));
  } catch {
    // unparseable URLs were rejected by the schema
  }
  return secrets.filter((s): s is string => typeof s === 'string' && s.length >= 12);
}
