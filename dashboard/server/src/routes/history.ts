// What happened: the PR review queue, the timeline, the aggregates, the
// audit, the operator's runs, and who the caller is.
import { route, type Route } from '../api/route.ts';
import { ApiError } from '../api/problem.ts';
import {
  aggregatesQuery,
  aggregatesSchema,
  auditListQuery,
  auditPageSchema,
  operatorRunsSchema,
  reviewListQuery,
  reviewPageSchema,
  timelineQuery,
  timelineSchema,
  whoamiSchema,
} from '../api/schemas.ts';
import { dayIn, isTimeZone, lastDays, todayCounts } from '../history/aggregates.ts';
import { buildTimeline } from '../history/timeline.ts';
import { listAudit } from '../records/audit.ts';
import { dailyFigures, dailySpend, eventsBetween, listReviews, operatorRuns } from '../records/history.ts';
import { decodeCursor, encodeCursor } from '../views/pages.ts';
import { namespacesFilter, type ApiDeps } from './deps.ts';
import { auditEntryOf, operatorRunOf, reviewViewOf } from './records-views.ts';

const TIMELINE_MAX_EVENTS = 20_000;

export function historyRoutes(deps: ApiDeps): Route[] {
  const now = deps.now ?? (() => new Date());
  return [
    route({
      operationId: 'listReviews',
      method: 'get',
      path: '/api/reviews',
      summary: 'The PR review queue: draft pull requests waiting for a human review',
      tag: 'reviews',
      scope: 'read',
      query: reviewListQuery,
      response: reviewPageSchema,
      handle: async ({ query }) => {
        const seq = deps.feed.head;
        const before = query.cursor ? Number(decodeCursor(query.cursor, 1)[0]) : undefined;
        const rows = await listReviews(deps.pool, {
          state: query.state,
          namespaces: namespacesFilter(deps, query.namespace),
          beforeId: before,
          limit: query.limit + 1,
        });
        const page = rows.slice(0, query.limit);
        return {
          items: page.map((r) => reviewViewOf(r, deps.cluster.storyByUid(r.story_uid)?.summary.title ?? null)),
          nextCursor: rows.length > query.limit ? encodeCursor([Number(page.at(-1)!.id)]) : null,
          seq,
        };
      },
    }),
    route({
      operationId: 'timeline',
      method: 'get',
      path: '/api/timeline',
      summary: 'Which stories ran when: per story a lane of steps, pauses and waits, transitions and cost over time',
      tag: 'history',
      scope: 'read',
      query: timelineQuery,
      response: timelineSchema,
      handle: async ({ query }) => {
        const to = query.to ? new Date(query.to) : now();
        const from = query.from ? new Date(query.from) : new Date(to.getTime() - 24 * 3_600_000);
        if (from >= to) throw ApiError.invalid([{ field: 'query.from', message: 'must be before to' }]);
        const { events, truncated } = await eventsBetween(deps.pool, from, to, TIMELINE_MAX_EVENTS);
        const served = namespacesFilter(deps, query.namespace);
        const { lanes, maxParallel } = buildTimeline(events, (uid) => {
          const story = deps.cluster.storyByUid(uid)?.summary;
          return story && { namespace: story.namespace, name: story.name, title: story.title, queue: story.queue };
        });
        const shown = lanes.filter(
          (lane) =>
            (!served || (lane.namespace !== null && served.includes(lane.namespace))) &&
            (!query.queue || lane.queue === query.queue),
        );
        return { from: from.toISOString(), to: to.toISOString(), lanes: shown, maxParallel, truncated };
      },
    }),
    route({
      operationId: 'aggregates',
      method: 'get',
      path: '/api/aggregates',
      summary: 'Today (done, failed, waiting, running, cost against budget, throughput) and one row per day',
      tag: 'history',
      scope: 'read',
      query: aggregatesQuery,
      response: aggregatesSchema,
      handle: async ({ query }) => {
        if (!isTimeZone(query.timezone)) {
          throw ApiError.invalid([{ field: 'query.timezone', message: `${query.timezone} is not an IANA time zone` }]);
        }
        const at = now();
        const days = lastDays(query.timezone, at, query.days);
        const since = new Date(at.getTime() - (query.days + 1) * 24 * 3_600_000);
        const [finished, spend] = await Promise.all([
          dailyFigures(deps.pool, { timezone: query.timezone, since, namespaces: namespacesFilter(deps) }),
          dailySpend(deps.pool, { timezone: query.timezone, since }),
        ]);
        const rows = days.map((day) => {
          const count = (phase: string) => finished.find((f) => f.day === day && f.phase === phase)?.stories ?? 0;
          return {
            day,
            succeeded: count('Succeeded'),
            failed: count('Failed'),
            aborted: count('Aborted'),
            costUSD: Math.round((spend.find((s) => s.day === day)?.usd ?? 0) * 1e6) / 1e6,
          };
        });
        const counts = todayCounts(
          deps.cluster.allStories().map((s) => s.summary),
          query.timezone,
          at,
        );
        const budgets = deps.cluster.allBudgets().filter((b) => deps.cluster.serves(b.metadata.namespace ?? ''));
        const limits = budgets.flatMap((b) => (b.spec.dailyLimitUSD === undefined ? [] : [b.spec.dailyLimitUSD]));
        const spentToday = budgets.reduce((sum, b) => sum + (b.status?.spentTodayUSD ?? 0), 0);
        const dailyLimit = limits.length ? limits.reduce((a, b) => a + b, 0) : null;
        const today = rows.at(-1)!;
        return {
          timezone: query.timezone,
          today: {
            ...counts,
            day: dayIn(query.timezone, at),
            costUSD: today.costUSD,
            budget: {
              dailyLimitUSD: dailyLimit,
              spentTodayUSD: Math.round(spentToday * 1e6) / 1e6,
              remainingUSD: dailyLimit === null ? null : Math.round((dailyLimit - spentToday) * 1e6) / 1e6,
            },
          },
          days: rows,
        };
      },
    }),
    route({
      operationId: 'listAudit',
      method: 'get',
      path: '/api/audit',
      summary: 'The audit of every control: who, what, when, before and after, newest first',
      tag: 'history',
      scope: 'read',
      query: auditListQuery,
      response: auditPageSchema,
      handle: async ({ query }) => {
        const seq = deps.feed.head;
        const before = query.cursor ? Number(decodeCursor(query.cursor, 1)[0]) : undefined;
        const rows = await listAudit(deps.pool, { ...query, beforeId: before, limit: query.limit + 1 });
        const page = rows.slice(0, query.limit);
        return {
          items: page.map(auditEntryOf),
          nextCursor: rows.length > query.limit ? encodeCursor([page.at(-1)!.id]) : null,
          seq,
        };
      },
    }),
    route({
      operationId: 'listOperatorRuns',
      method: 'get',
      path: '/api/operators',
      summary: "The operator's recent runs (daemon_runs): running, stopped or crashed",
      tag: 'history',
      scope: 'read',
      response: operatorRunsSchema,
      handle: async () => ({ items: (await operatorRuns(deps.pool)).map(operatorRunOf) }),
    }),
  ];
}

export function whoamiRoute(deps: ApiDeps): Route {
  return route({
    operationId: 'whoami',
    method: 'get',
    path: '/api/whoami',
    summary: 'The token this request came with: its name and scope',
    tag: 'auth',
    scope: 'read',
    response: whoamiSchema,
    handle: async ({ identity }) => ({
      name: identity.name,
      scope: identity.scope,
      namespaces: [...deps.cluster.namespaces],
    }),
  });
}
