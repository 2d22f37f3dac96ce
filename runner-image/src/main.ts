// Entry point of the story runner pod (docs/adr/0001-operator-runner-contract.md):
// read the configuration, record that this attempt started, work the story
// (run) or keep its work (salvage), record the outcome, exit 0. Any other exit
// is a crash the operator retries. SIGTERM lets the step in flight finish and
// records Paused/Stopped.
import { ConfigError, parseConfig, secretsOf, type RunnerConfig } from './config.ts';
import { startHeartbeat } from './heartbeat.ts';
import { createLogger, type Logger } from './log.ts';
import { runStory } from './modes/run.ts';
import type { Runtime } from './modes/runtime.ts';
import { salvageStory } from './modes/salvage.ts';
import { outcomeOfError } from './outcomes.ts';
import { EventLog } from './records/events.ts';
import { createPool } from './records/pool.ts';
import { SessionRecord, type Outcome } from './records/session.ts';
import { writeTerminationLog } from './termination-log.ts';

const EXIT_CRASH = 1;
const EXIT_BAD_CONFIG = 2;

function readConfig(): RunnerConfig {
  try {
    return parseConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(JSON.stringify({ level: 'fatal', component: 'runner', msg: error.message }));
    writeTerminationLog(process.env.NIGHTSHIFT_TERMINATION_LOG || '/dev/termination-log', { error: error.message });
    process.exit(EXIT_BAD_CONFIG);
  }
}

async function main(): Promise<number> {
  const config = readConfig();
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

  const pool = createPool(config.databaseURL);
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
      process.exit(EXIT_CRASH);
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
      data: { ...outcome, recorded },
      key: `runner-finished:${config.sessionId}`,
    });
    if (recorded) log.info({ outcome: outcome.outcome, detail: outcome.detail }, 'outcome recorded');
    writeTerminationLog(config.terminationLogPath, { ...outcome, session: config.sessionId });
    return 0;
  } catch (error) {
    stopHeartbeat();
    const message = error instanceof Error ? error.message : String(error);
    log.error({ err: message, stack: (error as Error)?.stack }, 'runner crashed');
    await events
      .record({ type: 'RunnerError', message: message.slice(0, 2000), data: { name: (error as Error)?.name } })
      .catch(() => undefined);
    writeTerminationLog(config.terminationLogPath, { error: message.slice(0, 2000), session: config.sessionId });
    return EXIT_CRASH;
  } finally {
    await pool.end().catch(() => undefined);
  }
}

// Exit explicitly: HTTP keep-alive agents of model clients must not keep a finished pod alive.
process.exit(await main());
