// When the operator `npm start` runs exits on its own: start it again now,
// after a backoff, or give up because it keeps dying. Pure: the exits so far
// in, the decision out (supervise.ts applies it).

export interface RestartPolicy {
  /** Give up once this many exits fall within windowMs of each other... */
  maxExits: number;
  windowMs: number;
  /** ...and wait before a restart: nothing after the first exit in the window, then base, 2 × base, ... up to max. */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = {
  maxExits: 5,
  windowMs: 2 * 60_000,
  backoffBaseMs: 1_000,
  backoffMaxMs: 16_000,
};

export interface OperatorExit {
  /** ms since the epoch */
  at: number;
  code: number | null;
  signal: string | null;
}

export type RestartDecision = { action: 'restart'; delayMs: number } | { action: 'give-up'; reason: string };

/** The operator's exit code for a configuration it refuses (EX_CONFIG): starting it again cannot help. */
export const EX_CONFIG = 78;

export function describeExit(exit: Pick<OperatorExit, 'code' | 'signal'>): string {
  return exit.signal ? `killed by ${exit.signal}` : `exit code ${exit.code}`;
}

/** exits: every exit so far, oldest first, the one just seen last. */
export function restartDecision(
  exits: readonly OperatorExit[],
  policy: RestartPolicy,
  name = 'the operator',
): RestartDecision {
  const last = exits.at(-1);
  if (!last) throw new Error('restartDecision needs the exit just seen');
  if (last.code === EX_CONFIG) {
    return {
      action: 'give-up',
      reason: `${name} refused its configuration (exit code ${EX_CONFIG}); starting it again would not help`,
    };
  }
  const recent = exits.filter((e) => last.at - e.at < policy.windowMs).length;
  if (recent >= policy.maxExits) {
    return {
      action: 'give-up',
      reason: `${name} exited ${recent} times within ${policy.windowMs / 1000} s (the last: ${describeExit(last)})`,
    };
  }
  // A lone crash after a long run is restarted at once; a crash loop slows down.
  const delayMs = recent === 1 ? 0 : Math.min(policy.backoffBaseMs * 2 ** (recent - 2), policy.backoffMaxMs);
  return { action: 'restart', delayMs };
}
