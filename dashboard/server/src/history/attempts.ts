// An attempt (execution_sessions row) as the API shows it.
import type { ExecutionSession } from '@nightshift/crds/contract';
import { z } from 'zod';
import type { attemptSchema } from '../api/schemas.ts';

export function attemptView(s: ExecutionSession): z.infer<typeof attemptSchema> {
  return {
    attempt: s.attempt,
    mode: s.mode,
    podName: s.podName,
    createdAt: s.createdAt.toISOString(),
    runnerStartedAt: s.runnerStartedAt?.toISOString() ?? null,
    endedAt: s.endedAt?.toISOString() ?? null,
    step: s.step,
    costUSD: s.costUSD,
    maxCostUSD: s.maxCostUSD,
    outcome: s.result?.outcome ?? null,
    outcomeDetail: (s.result?.detail as Record<string, unknown> | undefined) ?? null,
    error: s.error,
  };
}
