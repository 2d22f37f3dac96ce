// How an error that ended a run maps to the outcome the ADR names; undefined
// means a crash (non-zero exit: the operator retries the pod). Pure.
import { BudgetExceeded, StopRequested, StoryFailure } from './errors.ts';
import type { Outcome } from './records/session.ts';

export function outcomeOfError(error: unknown): Outcome | undefined {
  if (error instanceof StopRequested) {
    return { outcome: 'Paused', detail: { reason: 'Stopped', message: error.message } };
  }
  if (error instanceof BudgetExceeded) {
    const { scope, budget, neededUSD } = error.detail;
    return {
      outcome: 'Paused',
      detail: {
        reason: 'BudgetExceeded',
        message: error.message,
        scope,
        ...(budget ? { budget } : {}),
        ...(neededUSD !== undefined ? { neededUSD } : {}),
      },
    };
  }
  if (error instanceof StoryFailure) {
    return { outcome: 'Failed', detail: { reason: error.reason, message: error.message } };
  }
  return undefined;
}
