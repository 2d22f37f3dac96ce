// What the StoryRun reconciler asks about Budgets: which Budgets a story
// draws on (its queue's budgetRef and its own), its cost estimate (made once,
// before admission; its actual cost recorded beside it once the story has
// finished), whether the Budgets that paused it have room again for the call
// they refused, and the admission check for stories without a queue. The
// decisions are budgetVerdict and the lifecycle plan.
import type { KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import { isTerminalPhase, type StoryRun } from '@nightshift/crds';
import type { ExecutionSession } from '@nightshift/crds/contract';
import { remainingOf } from '@nightshift/crds/ledger';
import type { Admission, AdmissionPolicy } from '../admission/admission.ts';
import type { BudgetSettings } from '../controllers/budget.ts';
import type { Informer } from '../kube/index.ts';
import { ensureEstimate, finishedStories, readEstimate, recordActualCost } from '../records/estimates.ts';
import type { BudgetRoom, StoryBudgetObservation } from '../storyrun/observation.ts';
import { budgetCheck, budgetKeysOf, readBudgetViews, type BudgetCheck } from './admission.ts';
import { estimateCost, featuresOf } from './estimate.ts';

export interface StoryBudgets {
  keysOf(storyRun: StoryRun): string[];
  observe(storyRun: StoryRun, sessions: ExecutionSession[]): Promise<StoryBudgetObservation>;
  check: BudgetCheck;
}

export interface StoryBudgetsDeps {
  pool: pg.Pool;
  workQueues: Pick<Informer<KubernetesObject>, 'get'>;
  settings: BudgetSettings;
  now?: () => Date;
}

const usd = (n: number) => `$${n.toFixed(4)}`;

export function storyBudgets(deps: StoryBudgetsDeps): StoryBudgets {
  const now = deps.now ?? (() => new Date());

  const queueBudgetOf = (storyRun: StoryRun): string | undefined => {
    const { queueRef } = storyRun.spec;
    if (!queueRef) return undefined;
    const queue = deps.workQueues.get(storyRun.metadata.namespace!, queueRef) as { spec?: { budgetRef?: unknown } };
    return typeof queue?.spec?.budgetRef === 'string' ? queue.spec.budgetRef : undefined;
  };
  const keysOf = (storyRun: StoryRun) =>
    budgetKeysOf(storyRun.metadata.namespace!, [queueBudgetOf(storyRun), storyRun.spec.budgetRef]);

  async function estimateOf(storyRun: StoryRun, keys: string[]) {
    const uid = storyRun.metadata.uid!;
    const existing = await readEstimate(deps.pool, uid);
    if (existing) return existing;
    const features = featuresOf(storyRun);
    const history = await finishedStories(deps.pool, storyRun.metadata.namespace!);
    return ensureEstimate(deps.pool, {
      storyUid: uid,
      namespace: storyRun.metadata.namespace!,
      name: storyRun.metadata.name,
      features,
      budgetKeys: keys,
      estimate: estimateCost(features, history, deps.settings.estimate),
    });
  }

  async function roomFor(keys: string[], neededUSD: number): Promise<BudgetRoom> {
    const at = now();
    const views = await readBudgetViews(deps.pool, keys, at);
    const need = Math.max(neededUSD, deps.settings.exhaustedBelowUSD);
    for (const view of views) {
      if (!view.usage) return { open: false, message: `Budget ${view.key} is not known to the ledger` };
      for (const u of [view.usage.daily, view.usage.weekly]) {
        const left = remainingOf(u);
        if (left < need) {
          return {
            open: false,
            message: `Budget ${view.key} has ${usd(left)} left ${u.period.scope === 'daily' ? 'today' : 'this week'}, the refused call needs ${usd(need)}`,
            reopensAt: u.period.end,
          };
        }
      }
    }
    return { open: true, message: `Budget ${keys.join(', ')} has room again for the refused call (${usd(need)})` };
  }

  return {
    keysOf,
    async observe(storyRun, sessions) {
      const observation: StoryBudgetObservation = {};
      const keys = keysOf(storyRun);
      const terminal = isTerminalPhase(storyRun.status?.phase);
      const estimate = terminal
        ? await readEstimate(deps.pool, storyRun.metadata.uid!)
        : await estimateOf(storyRun, keys);
      if (estimate) observation.estimate = { p50USD: estimate.p50_usd, p90USD: estimate.p90_usd };
      // Finished (its status says so, costUSD final): estimate vs actual, once.
      if (terminal && estimate && estimate.actual_usd === null) {
        await recordActualCost(deps.pool, storyRun.metadata.uid!, storyRun.status?.costUSD ?? 0);
      }
      const latest = sessions.at(-1);
      const result = latest?.result;
      if (
        !terminal &&
        result?.outcome === 'Paused' &&
        result.detail.reason === 'BudgetExceeded' &&
        (result.detail.scope === 'daily' || result.detail.scope === 'weekly')
      ) {
        const drawn = latest!.budgetKeys.length > 0 ? latest!.budgetKeys : keys;
        observation.room = await roomFor(drawn, result.detail.neededUSD ?? 0);
      }
      return observation;
    },
    check: budgetCheck({
      pool: deps.pool,
      policy: deps.settings,
      estimateOf: async (story, keys) => (await estimateOf(story, keys)).p50_usd,
      now,
    }),
  };
}

/**
 * Admission for stories without a queue that name a Budget of their own:
 * the inner policy first, then the Budget check. Queued stories are the
 * WorkQueue's to admit (it calls the same check).
 */
export function withBudgetAdmission(inner: AdmissionPolicy, check: BudgetCheck): AdmissionPolicy {
  return async (storyRun): Promise<Admission> => {
    const admission = await inner(storyRun);
    if (!admission.admitted || storyRun.spec.queueRef || !storyRun.spec.budgetRef) return admission;
    const verdict = await check({ namespace: storyRun.metadata.namespace! }, storyRun);
    if (verdict.open) return admission;
    return {
      admitted: false,
      reason: verdict.reason ?? 'BudgetExceeded',
      message: verdict.message ?? 'the Budget is closed',
    };
  };
}
