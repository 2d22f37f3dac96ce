// What the runner's integration tests share: a real Postgres database, the
// forge stand-in with the demo repository, StoryRuns built from
// examples/storyrun.yaml, and the runner started as a real child process with
// the contract's environment (the test plays the operator).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { parse } from 'yaml';
import { RUNNER_ENV, type RunnerMode } from '@nightshift/crds/contract';
import { createPool } from '@nightshift/operator/postgres';
import { REPO_ROOT, testDatabase } from '../../hack/test/harness.ts';
import { startForge, seedDemoRepository, type Forge } from '../../hack/stand-ins/forge.ts';

/** The runner's entry point: the sources, or the bundle (runner-image/dist/main.mjs) when NIGHTSHIFT_TEST_RUNNER_MAIN names it. */
export const RUNNER_MAIN = process.env.NIGHTSHIFT_TEST_RUNNER_MAIN ?? join(REPO_ROOT, 'runner-image', 'src', 'main.ts');
export const FORGE_TOKEN = 'forge-token-0123456789';

export interface StoryRunJSON {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid: string; generation: number };
  spec: Record<string, unknown> & {
    story: { id: string; title: string; description: string; acceptanceCriteria?: string[] };
    repository: Record<string, unknown>;
    agent?: Record<string, unknown>;
  };
}

export interface Bench {
  databaseURL: string;
  pool: pg.Pool;
  forge: Forge;
  dir: string;
  close(): Promise<void>;
}

/** A migrated database, a forge holding demo/hello, and a scratch directory. */
export async function startBench(prefix: string): Promise<Bench> {
  const databaseURL = await testDatabase(prefix);
  const pool = createPool(databaseURL, { applicationName: `${prefix}-test`, max: 5 });
  const dir = mkdtempSync(join(tmpdir(), `nightshift-${prefix}-`));
  await seedDemoRepository(join(dir, 'forge'));
  const forge = await startForge({ root: join(dir, 'forge'), token: FORGE_TOKEN });
  return {
    databaseURL,
    pool,
    forge,
    dir,
    close: async () => {
      await forge.close();
      await pool.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** examples/storyrun.yaml, pointed at the forge, with a fresh uid; spec fields and the story can be overridden. */
export function sampleStoryRun(
  forge: Forge,
  overrides: { name?: string; story?: Partial<StoryRunJSON['spec']['story']>; spec?: Record<string, unknown> } = {},
): StoryRunJSON {
  const sample = parse(readFileSync(join(REPO_ROOT, 'examples', 'storyrun.yaml'), 'utf8')) as StoryRunJSON;
  const spec = structuredClone(sample.spec);
  spec.repository = {
    ...spec.repository,
    url: forge.gitURL('demo/hello'),
    pullRequests: { apiURL: forge.apiURL, owner: 'demo', repo: 'hello' },
  };
  spec.story = { ...spec.story, ...overrides.story };
  return {
    apiVersion: sample.apiVersion,
    kind: sample.kind,
    metadata: {
      name: overrides.name ?? sample.metadata.name,
      namespace: 'default',
      uid: randomUUID(),
      generation: 1,
    },
    spec: { ...spec, ...overrides.spec },
  };
}

/** Inserts the execution_sessions row (with the StoryRun snapshot) the operator makes before each pod; returns its id. */
export async function createSession(
  pool: pg.Pool,
  run: StoryRunJSON,
  attempt: number,
  mode: RunnerMode = 'run',
  budgetKeys: string[] = [],
): Promise<string> {
  const id = randomUUID();
  await pool.query(
    `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, mode, pod_name, storyrun,
                                     budget_keys)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      id,
      run.metadata.uid,
      run.metadata.namespace,
      run.metadata.name,
      run.spec.story.id,
      attempt,
      mode,
      `${run.metadata.name}-${attempt}`,
      JSON.stringify(run),
      budgetKeys,
    ],
  );
  return id;
}

export interface RunnerProcess {
  child: ChildProcess;
  sessionId: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** everything the runner wrote to stdout and stderr so far */
  output(): string;
  terminationLog(): string;
}

export interface RunnerOptions {
  bench: Bench;
  run: StoryRunJSON;
  attempt: number;
  workspace: string;
  mode?: RunnerMode;
  env?: Record<string, string>;
  /** The Budgets the attempt draws on (execution_sessions.budget_keys, as the operator writes them). */
  budgetKeys?: string[];
}

/** Starts `node runner-image/src/main.ts` for a new attempt, as the operator's pod would. */
export async function startRunner(options: RunnerOptions): Promise<RunnerProcess> {
  const sessionId = await createSession(
    options.bench.pool,
    options.run,
    options.attempt,
    options.mode,
    options.budgetKeys,
  );
  const terminationLog = join(options.bench.dir, `termination-${sessionId}`);
  writeFileSync(terminationLog, '');
  const child = spawn(process.execPath, [RUNNER_MAIN], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      [RUNNER_ENV.sessionId]: sessionId,
      [RUNNER_ENV.attempt]: String(options.attempt),
      [RUNNER_ENV.mode]: options.mode ?? 'run',
      [RUNNER_ENV.databaseURL]: options.bench.databaseURL,
      [RUNNER_ENV.gitToken]: FORGE_TOKEN,
      [RUNNER_ENV.workspace]: options.workspace,
      [RUNNER_ENV.dashboardURL]: 'http://dashboard.test',
      [RUNNER_ENV.terminationLog]: terminationLog,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    sessionId,
    exited,
    output: () => output,
    terminationLog: () => readFileSync(terminationLog, 'utf8'),
  };
}

/** Runs one attempt to its end; fails with the runner's output when it does not exit 0. */
export async function runAttempt(options: RunnerOptions): Promise<RunnerProcess> {
  const runner = await startRunner(options);
  const { code, signal } = await runner.exited;
  if (code !== 0) throw new Error(`runner exited with ${code ?? signal}:\n${runner.output()}`);
  return runner;
}

export interface SessionRow {
  outcome: string | null;
  outcome_detail: Record<string, unknown> | null;
  step: string | null;
  cost_usd: string;
  runner_started_at: Date | null;
  heartbeat_at: Date | null;
  ended_at: Date | null;
}

export async function sessionRow(pool: pg.Pool, sessionId: string): Promise<SessionRow> {
  const { rows } = await pool.query<SessionRow>('select * from execution_sessions where id = $1', [sessionId]);
  return rows[0]!;
}

export interface EventRow {
  session_id: string;
  type: string;
  step: string | null;
  message: string | null;
  data: Record<string, unknown>;
}

export async function eventsOf(pool: pg.Pool, storyUid: string, type?: string): Promise<EventRow[]> {
  const { rows } = await pool.query<EventRow>(
    `select session_id, type, step, message, data from execution_events
      where story_uid = $1 and ($2::text is null or type = $2) order by id`,
    [storyUid, type ?? null],
  );
  return rows;
}

/** StepStarted/StepFinished events of a node, per session. */
export async function stepEvents(pool: pg.Pool, storyUid: string, node: string, type: 'StepStarted' | 'StepFinished') {
  return (await eventsOf(pool, storyUid, type)).filter((e) => e.message === node);
}

export function workspaceIn(bench: Bench, name: string): string {
  return join(bench.dir, 'workspaces', name);
}
