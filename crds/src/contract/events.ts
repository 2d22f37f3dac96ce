// execution_events: the append-only history of every story, written by the
// operator (source 'operator': one row per lifecycle transition) and the
// runner (source 'runner': steps, model and tool calls, file changes,
// decisions, heartbeats). The dashboard's timeline and replay and the
// notifier read these payloads; each type's data has one schema here.
// Payloads are loose objects so a newer writer may add fields.
import { z } from 'zod';
import { storyRunPhaseSchema } from '../storyrun.ts';
import { decisionKindSchema, decisionQuestionSchema } from './decisions.ts';
import { ATTEMPT_OUTCOMES } from './outcomes.ts';
import { runnerModeSchema } from './runner.ts';

export const EVENT_SOURCES = ['operator', 'runner'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

const count = z.int().min(0);
const tokens = count.nullable();
const usd = z.number().min(0);
/** How much of a commit's diff a Committed event carries. */
export const COMMIT_PATCH_MAX_BYTES = 100_000;
const changedFileSchema = z.object({ status: z.string(), path: z.string() });

/** Every event type a runner writes, with the schema of its data. */
export const runnerEventDataSchemas = {
  RunnerStarted: z.looseObject({ mode: runnerModeSchema, attempt: z.int().min(1), backend: z.string(), pid: z.int() }),
  RunnerFinished: z.looseObject({ outcome: z.enum(ATTEMPT_OUTCOMES), detail: z.unknown(), recorded: z.boolean() }),
  RunnerError: z.looseObject({ name: z.string().optional() }),
  WorktreeReady: z.looseObject({ path: z.string(), branch: z.string(), reused: z.boolean() }),
  WorktreeRecovered: z.looseObject({}),
  StepStarted: z.looseObject({ node: z.string(), visit: z.int().min(1), attempt: z.int().min(1) }),
  StepFinished: z.looseObject({
    node: z.string(),
    visit: z.int().min(1),
    attempt: z.int().min(1),
    durationMs: count,
  }),
  AgentCall: z.looseObject({
    purpose: z.string(),
    model: z.string().nullable(),
    provider: z.string().nullable().optional(),
    inputTokens: tokens,
    outputTokens: tokens,
    cacheReadTokens: count.optional(),
    cacheWriteTokens: count.optional(),
    costUSD: usd.nullable(),
    /** The worst case reserved before the call. */
    reservedUSD: usd.optional(),
    durationMs: count.optional(),
    reservationId: z.string().optional(),
  }),
  ToolCall: z.looseObject({
    tool: z.string(),
    ok: z.boolean(),
    durationMs: count,
    changed: z.string().nullable().optional(),
  }),
  FileChanged: z.looseObject({ sha: z.string(), status: z.string(), path: z.string() }),
  Committed: z.looseObject({
    sha: z.string(),
    files: z.array(changedFileSchema),
    round: z.int().optional(),
    salvage: z.boolean().optional(),
    /** The commit's diff (git show), cut at COMMIT_PATCH_MAX_BYTES; the dashboard's replay shows it per file. */
    patch: z.string().optional(),
  }),
  VerifyResult: z.looseObject({
    configured: z.boolean(),
    passed: z.boolean(),
    command: z.array(z.string()),
    exitCode: z.int().nullable(),
    timedOut: z.boolean(),
    durationMs: count,
    output: z.string(),
    attempt: z.int(),
    round: z.int(),
  }),
  ReviewResult: z.looseObject({ verdict: z.string(), summary: z.string(), round: z.int() }),
  GateResult: z.looseObject({
    confidence: z.number(),
    factors: z.array(z.object({ name: z.string(), score: z.number(), weight: z.number(), detail: z.string() })),
    threshold: z.number(),
    passed: z.boolean(),
    gate: z.int(),
    round: z.int(),
  }),
  DecisionAsked: decisionQuestionSchema.loose(),
  DecisionAnswered: z.looseObject({
    decisionId: z.string(),
    kind: decisionKindSchema,
    choice: z.string(),
    comment: z.string().nullable(),
    answeredBy: z.string().nullable(),
  }),
  BudgetRefused: z.looseObject({
    purpose: z.string().optional(),
    worstCaseUSD: usd.optional(),
    /** The window that refused: 'story' (the cap), 'daily' or 'weekly' (a Budget's), 'unpriced' (no price known). */
    scope: z.string().optional(),
    budget: z.string().optional(),
  }),
  Rebased: z.looseObject({ onto: z.string(), head: z.string() }),
  BranchPushed: z.looseObject({
    branch: z.string(),
    sha: z.string(),
    commits: count,
    salvage: z.boolean().optional(),
  }),
  PullRequestOpened: z.looseObject({
    url: z.string(),
    number: z.int().min(1),
    reused: z.boolean(),
    repository: z.string(),
  }),
  SlowStep: z.looseObject({ seconds: z.number(), attempt: z.int() }),
  Heartbeat: z.looseObject({ beat: z.int().min(1) }),
} as const;

export type RunnerEventType = keyof typeof runnerEventDataSchemas;
export const RUNNER_EVENT_TYPES = Object.keys(runnerEventDataSchemas) as RunnerEventType[];
export type RunnerEventData<T extends RunnerEventType> = z.input<(typeof runnerEventDataSchemas)[T]>;

export const isRunnerEventType = (type: string): type is RunnerEventType => Object.hasOwn(runnerEventDataSchemas, type);

/**
 * The operator writes one event per lifecycle transition; its type is the
 * transition's reason (Admitted, Started, Running, Pausing, Paused, Resumed,
 * WaitingForHuman, DecisionAnswered, PodFailed, PodStalled, Succeeded, Failed,
 * BackoffLimitExceeded, Aborted, Deleted, InvalidSpec, or a runner's Failed
 * reason) and its data where the story stood.
 */
export const operatorEventDataSchema = z.looseObject({
  phase: storyRunPhaseSchema.optional(),
  attempt: z.int().min(0).optional(),
  generation: z.int().optional(),
  /** The transition that finished the story (its phase is then Succeeded, Failed or Aborted). */
  completes: z.boolean().optional(),
});
export type OperatorEventData = z.infer<typeof operatorEventDataSchema>;
