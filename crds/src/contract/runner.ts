// How the operator starts a runner and how the runner reports back through
// its process: the modes a pod runs in, the environment the operator sets, the
// exit codes, the container's termination message and the workspace layout
// (docs/adr/0001-operator-runner-contract.md, 0002-contract.md).
import { z } from 'zod';
import { objectMetaSchema } from '../meta.ts';
import { storyRunSchema } from '../storyrun.ts';

/** run: work the story; salvage: commit the work in progress and push the branch (abort with keepWork). */
export const RUNNER_MODES = ['run', 'salvage'] as const;
export const runnerModeSchema = z.enum(RUNNER_MODES);
export type RunnerMode = z.infer<typeof runnerModeSchema>;

/** The environment variables the operator sets on the runner container. */
export const RUNNER_ENV = {
  /** Id of this attempt's execution_sessions row, which also holds the StoryRun snapshot. */
  sessionId: 'NIGHTSHIFT_SESSION_ID',
  /** 1, 2, ... (execution_sessions.attempt). */
  attempt: 'NIGHTSHIFT_ATTEMPT',
  /** One of RUNNER_MODES. */
  mode: 'NIGHTSHIFT_MODE',
  databaseURL: 'DATABASE_URL',
  gitToken: 'NIGHTSHIFT_GIT_TOKEN',
  agentApiKey: 'NIGHTSHIFT_AGENT_API_KEY',
  workspace: 'NIGHTSHIFT_WORKSPACE',
  dashboardURL: 'NIGHTSHIFT_DASHBOARD_URL',
  // Optional runner settings, each with a default (the operator passes them from runner.env).
  modelPrices: 'NIGHTSHIFT_MODEL_PRICES',
  gitAuthor: 'NIGHTSHIFT_GIT_AUTHOR',
  logLevel: 'NIGHTSHIFT_LOG_LEVEL',
  terminationLog: 'NIGHTSHIFT_TERMINATION_LOG',
  reservationTTLSeconds: 'NIGHTSHIFT_RESERVATION_TTL_SECONDS',
  heartbeatSeconds: 'NIGHTSHIFT_HEARTBEAT_SECONDS',
} as const;
export type RunnerEnvName = (typeof RUNNER_ENV)[keyof typeof RUNNER_ENV];

/** What the runner's exit code means to the operator. */
export const RUNNER_EXIT = {
  /** An outcome was recorded in execution_sessions. */
  outcomeRecorded: 0,
  /** Anything else went wrong: a crash, retried up to spec.backoffLimit. */
  crashed: 1,
  /** The environment (or the StoryRun snapshot) was invalid; the message names the variable. */
  invalidEnvironment: 2,
} as const;

/** The Secret keys the runner's credentials are read from when a SecretKeyRef names none. */
export const DEFAULT_SECRET_KEYS = { gitToken: 'token', agentApiKey: 'apiKey' } as const;

/** The container that runs the runner in a story pod. */
export const RUNNER_CONTAINER = 'runner';
/** Where the worktree volume is mounted; the clone lives in its REPOSITORY_DIR (a volume's root may hold lost+found). */
export const WORKSPACE_PATH = '/workspace';
export const REPOSITORY_DIR = 'repo';

/**
 * The StoryRun as the attempt's record holds it (execution_sessions.storyrun),
 * taken when the pod was made: metadata the runner needs, and the spec.
 */
export const storyRunSnapshotSchema = storyRunSchema.omit({ status: true }).extend({
  metadata: objectMetaSchema.extend({
    name: z.string().min(1),
    namespace: z.string().min(1),
    uid: z.guid(),
    generation: z.int().optional(),
  }),
});
export type StoryRunSnapshot = z.infer<typeof storyRunSnapshotSchema>;

/**
 * The container's termination message (/dev/termination-log, at most 4 KiB):
 * how the runner ended, readable by `kubectl describe` and the operator
 * without logs. A crash carries its error; otherwise the outcome.
 */
export const terminationMessageSchema = z.looseObject({
  session: z.string().optional(),
  error: z.string().optional(),
  outcome: z.string().optional(),
  truncated: z.boolean().optional(),
});
export type TerminationMessage = z.infer<typeof terminationMessageSchema>;

/** The error a termination message reports, or undefined when it is not one of ours (e.g. the log tail). */
export function terminationError(message: string | undefined): string | undefined {
  if (!message) return undefined;
  try {
    const parsed = terminationMessageSchema.safeParse(JSON.parse(message));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}
