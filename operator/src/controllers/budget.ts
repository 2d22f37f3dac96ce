// The Budget reconciler: read the Budget; decide which limits it enforces
// (budget/limits.ts: a raise waits for its confirmation); record them, their
// changes and who made them in the ledger; read the day's and the week's
// spend; decide the state (budget/state.ts); claim each alert once and send
// its Event; write status. Level-triggered: it looks again at the next
// period boundary exactly, and every budget.refreshSeconds for spend.
import type { KubernetesObject } from '@kubernetes/client-node';
import type pg from 'pg';
import { Counter, Gauge, type Registry } from 'prom-client';
import { budgetSchema, type Budget } from '@nightshift/crds';
import { ANNOTATIONS, RESOURCES, budgetKey } from '@nightshift/crds/contract';
import { expireReservations, isValidTimeZone, readBudgetUsage } from '@nightshift/crds/ledger';
import { changedBy, type ManagedFieldsEntry } from '../budget/audit.ts';
import { budgetConditions, calendarChangesOf, changeReason } from '../budget/conditions.ts';
import { decideLimits } from '../budget/limits.ts';
import { budgetState } from '../budget/state.ts';
import type { OperatorConfig } from '../config/schema.ts';
import {
  isStaleWrite,
  parseKey,
  resourcePath,
  setCondition,
  statusEqual,
  writeStatus,
  type Condition,
  type Controller,
  type EventRecorder,
  type EventType,
  type Informer,
  type Manager,
  type RestClient,
} from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { applyBudget, claimAlert, meanEstimateError, readBudget } from '../records/budgets.ts';

export type BudgetSettings = OperatorConfig['budget'];

export interface BudgetReconcilerDeps {
  pool: pg.Pool;
  client: RestClient;
  budgets: Pick<Informer<KubernetesObject>, 'get'>;
  settings: BudgetSettings;
  event(object: KubernetesObject, type: EventType, reason: string, note: string): Promise<void>;
  /** Gauges and counters of what was read (see setupBudgetController). */
  metrics?: BudgetMetrics;
  logger: Logger;
  now?: () => Date;
}

export interface BudgetMetrics {
  usd: Gauge<'namespace' | 'budget' | 'period' | 'kind'>;
  alerts: Counter<'kind'>;
}

type BudgetStatus = NonNullable<Budget['status']>;

const round2 = (n: number) => Math.round(n * 100) / 100;

export function budgetReconciler(deps: BudgetReconcilerDeps) {
  const now = deps.now ?? (() => new Date());
  return async function reconcileBudget(namespace: string, name: string): Promise<{ requeueAfterMs?: number }> {
    const raw = deps.budgets.get(namespace, name);
    if (!raw) return {}; // deleted: the ledger keeps its last limits for the stories still naming it
    const parsed = budgetSchema.safeParse(raw);
    const invalid = parsed.success
      ? isValidTimeZone(parsed.data.spec.timezone)
        ? undefined
        : `spec.timezone: unknown time zone "${parsed.data.spec.timezone}" (expected an IANA name such as Europe/Berlin)`
      : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    if (invalid || !parsed.success) return reportInvalid(raw, invalid ?? 'invalid');
    const budget = parsed.data;
    const key = budgetKey(namespace, name);
    const at = now();
    const generation = budget.metadata.generation ?? 0;
    const calendar = { timezone: budget.spec.timezone, weekStartsOn: budget.spec.weekStartsOn };

    const record = await readBudget(deps.pool, key);
    const decision = decideLimits({
      spec: budget.spec,
      generation,
      confirmation: budget.metadata.annotations?.[ANNOTATIONS.confirmIncrease],
      inForce: record?.limits,
      calendar,
      now: at,
    });
    const calendarChanges = record ? calendarChangesOf(record.row, budget.spec) : [];
    const changes = [...decision.changes, ...calendarChanges];
    if (!record || changes.length > 0 || record.row.generation !== generation) {
      const who = changes.length > 0 ? await whoChanged(raw) : { by: undefined, reason: undefined };
      const fresh = await applyBudget(deps.pool, {
        key,
        namespace,
        name,
        uid: budget.metadata.uid,
        spec: budget.spec,
        generation,
        limits: decision.next,
        changes,
        changedBy: who.by,
        reason: who.reason,
      });
      for (const change of fresh) {
        const note = `${change.field}: ${change.from ?? '–'} → ${change.to ?? '–'}${who.by ? ` (by ${who.by})` : ''}`;
        void deps.event(raw, 'Normal', changeReason(change), note);
      }
    }

    const usage = await readBudgetUsage(deps.pool, key, calendar, at);
    const standing = budgetState(
      usage,
      { alertThreshold: budget.spec.alertThreshold, exhaustedBelowUSD: deps.settings.exhaustedBelowUSD },
      at,
    );
    for (const [period, u] of [
      ['day', usage.daily],
      ['week', usage.weekly],
    ] as const) {
      const labels = { namespace, budget: name, period };
      deps.metrics?.usd.set({ ...labels, kind: 'spent' }, u.spentUSD);
      deps.metrics?.usd.set({ ...labels, kind: 'reserved' }, u.reservedUSD);
      if (u.limitUSD !== null) deps.metrics?.usd.set({ ...labels, kind: 'limit' }, u.limitUSD);
      else deps.metrics?.usd.remove({ ...labels, kind: 'limit' });
    }
    for (const reached of standing.reached) {
      if (await claimAlert(deps.pool, key, reached)) {
        deps.metrics?.alerts.inc({ kind: reached.kind });
        void deps.event(
          raw,
          'Warning',
          reached.kind === 'Exceeded' ? 'BudgetExceeded' : 'ThresholdReached',
          reached.message,
        );
      }
    }
    const previous = budget.status ?? {};
    if (decision.pendingIncrease && previous.pendingIncrease !== decision.pendingIncrease) {
      void deps.event(
        raw,
        'Normal',
        'IncreaseWaitingForConfirmation',
        `${decision.pendingMessage}: annotate ${ANNOTATIONS.confirmIncrease}=${decision.pendingIncrease} to apply it`,
      );
    }
    const error = await meanEstimateError(deps.pool, key);
    const status: BudgetStatus = {
      spentTodayUSD: standing.spentTodayUSD,
      spentThisWeekUSD: standing.spentThisWeekUSD,
      reservedUSD: standing.reservedUSD,
      ...(standing.remainingTodayUSD !== undefined ? { remainingTodayUSD: standing.remainingTodayUSD } : {}),
      state: standing.state,
      periodResetsAt: standing.periodResetsAt.toISOString(),
      projectedTodayUSD: round2(standing.projectedTodayUSD),
      projectedWeekUSD: round2(standing.projectedWeekUSD),
      ...(decision.pendingIncrease ? { pendingIncrease: decision.pendingIncrease } : {}),
      ...(error.errorUSD !== null ? { estimateMeanErrorUSD: Math.round(error.errorUSD * 1e4) / 1e4 } : {}),
      conditions: budgetConditions(previous.conditions, standing, decision, generation, at),
      observedGeneration: generation,
    };
    if (!statusEqual(previous, status)) {
      try {
        await writeStatus(deps.client, RESOURCES.budget, raw, status);
      } catch (e) {
        if (isStaleWrite(e)) return { requeueAfterMs: 200 };
        throw e;
      }
    }
    // Exactly at the boundary (plus a hair, so the new period is the current one), or the next refresh.
    const boundary = Math.min(usage.daily.period.end.getTime(), usage.weekly.period.end.getTime()) - at.getTime() + 5;
    return { requeueAfterMs: Math.max(0, Math.min(boundary, deps.settings.refreshSeconds * 1000)) };
  };

  async function whoChanged(raw: KubernetesObject) {
    // The informer drops managedFields to save memory: read them fresh, for the audit only.
    const path = resourcePath(RESOURCES.budget, { namespace: raw.metadata!.namespace, name: raw.metadata!.name });
    const fresh = await deps.client.get<KubernetesObject>(path).catch(() => raw);
    return changedBy(fresh.metadata?.managedFields as ManagedFieldsEntry[] | undefined, fresh.metadata?.annotations);
  }

  async function reportInvalid(raw: KubernetesObject, message: string) {
    deps.logger.error({ budget: `${raw.metadata?.namespace}/${raw.metadata?.name}`, message }, 'invalid Budget');
    const rawStatus = (raw as { status?: { conditions?: Condition[] } }).status ?? {};
    const conditions = setCondition(
      rawStatus.conditions,
      {
        type: 'Valid',
        status: 'False',
        reason: 'InvalidSpec',
        message,
        ...(raw.metadata?.generation !== undefined ? { observedGeneration: raw.metadata.generation } : {}),
      },
      now(),
    );
    if (statusEqual(rawStatus.conditions, conditions)) return {};
    void deps.event(raw, 'Warning', 'InvalidSpec', message);
    await writeStatus(deps.client, RESOURCES.budget, raw, { ...rawStatus, conditions }).catch((e: unknown) => {
      if (!isStaleWrite(e)) throw e;
    });
    return {};
  }
}

export interface BudgetControllerDeps {
  client: RestClient;
  pool: pg.Pool;
  events: EventRecorder;
  settings: BudgetSettings;
  workers: number;
  registry: Registry;
  logger: Logger;
}

/** The Budget controller on a manager, and the sweeper that charges reservations whose holder died. */
export function setupBudgetController(manager: Manager, deps: BudgetControllerDeps): Controller {
  const budgets = manager.informer(RESOURCES.budget);
  const reconcile = budgetReconciler({
    pool: deps.pool,
    client: deps.client,
    budgets,
    settings: deps.settings,
    event: (object, type, reason, note) => deps.events.record(object, { type, reason, note }),
    metrics: {
      usd: new Gauge({
        name: 'nightshift_budget_usd',
        help: "A Budget's current day and week: spent, reserved by calls in flight, and the limit in force (USD)",
        labelNames: ['namespace', 'budget', 'period', 'kind'],
        registers: [deps.registry],
      }),
      alerts: new Counter({
        name: 'nightshift_budget_alerts_total',
        help: 'Budget alerts raised (once per Budget, limit, period and kind)',
        labelNames: ['kind'],
        registers: [deps.registry],
      }),
    },
    logger: deps.logger,
  });
  const controller = manager.addController({
    name: 'budget',
    for: budgets,
    reconcile: (key) => {
      const { namespace, name } = parseKey(key);
      return reconcile(namespace!, name);
    },
    workers: Math.min(deps.workers, 4),
  });
  let timer: NodeJS.Timeout | undefined;
  manager.addRunnable({
    name: 'cost reservation sweeper',
    needLeaderElection: true,
    start: () => {
      timer = setInterval(() => {
        expireReservations(deps.pool).then(
          (n) => {
            if (n > 0)
              deps.logger.warn({ charged: n }, 'charged reservations past their TTL at their worst case (unconfirmed)');
          },
          (error: Error) => deps.logger.warn({ err: error }, 'cost reservation sweep failed'),
        );
      }, deps.settings.sweepSeconds * 1000);
      timer.unref();
    },
    stop: () => clearInterval(timer),
  });
  return controller;
}
