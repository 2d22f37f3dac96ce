// Entry point of the story runner pod (docs/adr/0001-operator-runner-contract.md):
// read the environment and this attempt's record (which holds the StoryRun),
// record that the attempt started, work the story (run) or keep its work
// (salvage), record the outcome, exit 0. Any other exit is a crash the
// operator retries; the error is recorded first, so the StoryRun can say why.
// SIGTERM lets the step in flight finish and records Paused/Stopped.
import { RUNNER_ENV, RUNNER_EXIT } from '@nightshift/crds/contract';
import {
  ConfigError,
  parseEnvironment,
  parseSnapshot,
  secretsOf,
  type RunnerConfig,
  type RunnerEnvironment,
} from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createLogger, type Logger } from './log.ts';
import { runStory } from './modes/run.ts';
import type { Runtime } from './modes/runtime.ts';
import { salvageStory } from './modes/salvage.ts';
import { outcomeOfError } from './outcomes.ts';
import { EventLog } from './records/events.ts';
import { createPool } from './records/pool.ts';
import { SessionRecord, readAttempt, type Outcome } from './records/session.ts';
import { writeTerminationLog } from './termination-log.ts';

function invalidConfiguration(error: ConfigError, terminationLogPath: string): never {
  console.error(JSON.stringify({ level: 'fatal', component: 'runner', msg: error.message }));
  writeTerminationLog(terminationLogPath, { error: error.message });
  process.exit(RUNNER_EXIT.invalidEnvironment);
}

function readEnvironment(): RunnerEnvironment {
  try {
    return parseEnvironment(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return invalidConfiguration(error, process.env[RUNNER_ENV.terminationLog] || '/dev/termination-log');
  }
}

async function main(): Promise<number> {
  const environment = readEnvironment();
  const pool = createPool(environment.databaseURL);
  try {
    let config: RunnerConfig;
    try {
      const attempt = await readAttempt(pool, environment.sessionId);
      config = {
        ...environment,
        storyRun: parseSnapshot(attempt.snapshot, environment.sessionId),
        budgetKeys: attempt.budgetKeys,
      };
    } catch (error) {
      if (error instanceof ConfigError) return invalidConfiguration(error, environment.terminationLogPath);
      const message = `cannot read attempt ${environment.sessionId}: ${(error as Error).message}`;
      console.error(JSON.stringify({ level: 'fatal', component: 'runner', msg: message }));
      writeTerminationLog(environment.terminationLogPath, { error: message, session: environment.sessionId });
      return RUNNER_EXIT.crashed;
    }
    return await work(config, pool);
  } finally {
    await pool.end().catch(() => undefined);
  }
}

async function work(config: RunnerConfig, pool: ReturnType<typeof createPool>): Promise<number> {
  const { metadata, spec } = config.storyRun;
  const log: Logger = createLogger({
    level: config.logLevel,
    secrets: secretsOf(config),
    bindings: {
      storyRun: `${metadata.namespace}/${metadata.name}`,
      story: spec.story.id,
      session: config.sessionId,
      attempt: config.attempt,
      mode: config.mode,
    },
  });

  let stop = false;
  const onSignal = (signal: string) => {
    if (stop) return;
    stop = true;
    log.info({ signal }, 'stop requested: finishing the step in flight');
  };
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));

  const session = new SessionRecord(pool, config.sessionId, metadata, log);
  const events = new EventLog(pool, metadata.uid, config.sessionId);
  const rt: Runtime = {
    config,
    log,
    pool,
    session,
    events,
    stopRequested: () => stop && config.mode === 'run',
    lockLost: (error) => {
      log.fatal({ err: error.message }, 'lost the story lock: stopping at once');
      writeTerminationLog(config.terminationLogPath, { error: `lost the story lock: ${error.message}` });
      process.exit(RUNNER_EXIT.crashed);
    },
  };

  let stopHeartbeat = () => {};
  try {
    await session.markStarted();
    await events.record({
      type: 'RunnerStarted',
      message: `${config.mode} attempt ${config.attempt}`,
      data: { mode: config.mode, attempt: config.attempt, backend: spec.agent.backend, pid: process.pid },
    });
    stopHeartbeat = startHeartbeat(session, events, log, config.heartbeatSeconds);
    let outcome: Outcome;
    try {
      outcome = config.mode === 'run' ? await runStory(rt) : await salvageStory(rt);
    } catch (error) {
      const mapped = outcomeOfError(error);
      if (!mapped) throw error;
      outcome = mapped;
    }
    stopHeartbeat();
    const recorded = await session.finish(outcome);
    await events.record({
      type: 'RunnerFinished',
      message: outcome.outcome,
      data: { outcome: outcome.outcome, detail: outcome.detail, recorded },
      key: `runner-finished:${config.sessionId}`,
    });
    if (recorded) log.info({ outcome: outcome.outcome, detail: outcome.detail }, 'outcome recorded');
    writeTerminationLog(config.terminationLogPath, { outcome: outcome.outcome, session: config.sessionId });
    return RUNNER_EXIT.outcomeRecorded;
  } catch (error) {
    stopHeartbeat();
    const message = error instanceof Error ? error.message : String(error);
    log.error({ err: message, stack: (error as Error)?.stack }, 'runner crashed');
    // Recorded for the operator, which shows it on the StoryRun when it sees the pod fail.
    await session.recordError(message).catch(() => undefined);
    await events
      .record({ type: 'RunnerError', message: message.slice(0, 2000), data: { name: (error as Error)?.name } })
      .catch(() => undefined);
    writeTerminationLog(config.terminationLogPath, { error: message.slice(0, 2000), session: config.sessionId });
    return RUNNER_EXIT.crashed;
  }
}

// Exit explicitly: HTTP keep-alive agents of model clients must not keep a finished pod alive.
process.exit(await main());
