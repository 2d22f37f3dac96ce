// Keeps the operator `npm start` runs alive: an exit we did not ask for is
// announced (how it ended, the end of its log) and answered as restart.ts
// decides — start it again, after a backoff, or give up. stop() is the only
// way it ends on purpose: SIGTERM, then wait for the graceful shutdown.
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import {
  DEFAULT_RESTART_POLICY,
  describeExit,
  restartDecision,
  type OperatorExit,
  type RestartPolicy,
} from './restart.ts';

export interface SupervisorOptions {
  /** What it supervises, in messages: 'the operator' unless told. */
  name?: string;
  /** Starts one operator process. */
  spawn: () => ChildProcess;
  /** Where the operator writes its log, for the lines shown when it dies. */
  logFile: string;
  say: (message: string) => void;
  /** Called after each restart (1, 2, ...), e.g. to report when it is ready again. */
  restarted?: (restart: number) => void;
  policy?: RestartPolicy;
  now?: () => number;
}

export class OperatorSupervisor {
  /** Resolves with the reason once the operator kept dying and we stopped restarting it. */
  readonly gaveUp: Promise<string>;
  private giveUp!: (reason: string) => void;
  private child: ChildProcess | undefined;
  private childExited: Promise<void> = Promise.resolve();
  private readonly exits: OperatorExit[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private restartCount = 0;
  private readonly options: SupervisorOptions;
  private readonly name: string;

  constructor(options: SupervisorOptions) {
    this.options = options;
    this.name = options.name ?? 'the operator';
    this.gaveUp = new Promise((resolve) => (this.giveUp = resolve));
  }

  /** How often it was started again after an exit. */
  get restarts(): number {
    return this.restartCount;
  }

  /** The pid of the operator running now, if one is. */
  get pid(): number | undefined {
    return this.child && this.child.exitCode === null && this.child.signalCode === null ? this.child.pid : undefined;
  }

  start(): void {
    const child = this.options.spawn();
    this.child = child;
    this.childExited = new Promise((resolve) => {
      let seen = false;
      const exited = (code: number | null, signal: string | null) => {
        if (seen) return; // 'error' and 'exit' may both come
        seen = true;
        resolve();
        this.exited({ at: (this.options.now ?? Date.now)(), code, signal });
      };
      child.once('exit', exited);
      child.once('error', (error) => {
        this.options.say(`${this.name} could not be started: ${error.message}`);
        exited(null, null);
      });
    });
  }

  /** Stops the operator gracefully (SIGTERM, wait), killing it after timeoutMs; no restart afterwards. */
  async stop(timeoutMs = 60_000): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const pid = this.pid;
    if (pid === undefined) return;
    this.child!.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), timeoutMs)));
    if (await Promise.race([this.childExited.then(() => false), timedOut])) {
      this.options.say(`${this.name} (pid ${pid}) did not stop within ${timeoutMs / 1000} s; killing it`);
      this.child!.kill('SIGKILL');
      await this.childExited;
    }
    clearTimeout(timer);
  }

  private exited(exit: OperatorExit): void {
    if (this.stopping) return;
    const { say, logFile } = this.options;
    this.exits.push(exit);
    say(`${this.name} exited unexpectedly (${describeExit(exit)}); the end of ${logFile}:\n${tailOf(logFile)}`);
    const decision = restartDecision(this.exits, this.options.policy ?? DEFAULT_RESTART_POLICY, this.name);
    if (decision.action === 'give-up') {
      say(`not restarting ${this.name}: ${decision.reason}`);
      this.giveUp(decision.reason);
      return;
    }
    say(
      `restarting ${this.name}${decision.delayMs ? ` in ${decision.delayMs / 1000} s` : ''} (restart ${this.restartCount + 1}); the forge keeps running`,
    );
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.restartCount++;
      this.start();
      this.options.restarted?.(this.restartCount);
    }, decision.delayMs);
  }
}

/** The last lines of a log file, read from its end (the operator's log grows across restarts). */
export function tailOf(file: string, lines = 15): string {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = statSync(file).size;
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    readSync(fd, buffer, 0, length, size - length);
    const text = buffer.toString('utf8').trimEnd();
    return text
      ? text
          .split('\n')
          .slice(-lines)
          .map((line) => `    ${line}`)
          .join('\n')
      : '    (empty)';
  } catch (error) {
    return `    (could not read it: ${(error as Error).message})`;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
