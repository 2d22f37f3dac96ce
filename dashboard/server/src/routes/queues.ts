// WorkQueues and Budgets: lists, one in full, and their controls (pause and
// resume a whole queue, maxParallel, schedules and overrides; budget limits,
// extensions and the confirmation of an increase) — each a spec patch.
import { budgetSchema, storyRunSchema, workQueueSchema } from '@nightshift/crds';
import { RESOURCES } from '@nightshift/crds/contract';
import { ApiError } from '../api/problem.ts';
import { route, type Route } from '../api/route.ts';
import {
  budgetConfirmBody,
  budgetEditBody,
  budgetExtensionBody,
  budgetListSchema,
  budgetViewSchema,
  namespacedParams,
  namespaceQuery,
  overrideBody,
  queueDetailSchema,
  queueEditBody,
  queueListSchema,
  queuePauseBody,
  queueResumeBody,
  queueViewSchema,
  scheduleBody,
  type StorySummary,
} from '../api/schemas.ts';
import type { TokenIdentity } from '../auth/tokens.ts';
import {
  confirmBudget,
  editBudget,
  editQueue,
  extendBudget,
  pauseQueue,
  pauseStory,
  setOverride,
  setSchedule,
  type EditResult,
} from '../controls/edits.ts';
import { admissionOrder, budgetView, queueView } from '../views/resources.ts';
import { servedNamespace, type ApiDeps } from './deps.ts';

/** A story that runs now (has a pod, or is about to): what pausing a queue's running stories pauses. */
export const isActive = (story: StorySummary) =>
  !story.paused && !story.abortRequested && (story.phase === 'Admitted' || story.phase === 'Running');

export function queueRoutes(deps: ApiDeps): Route[] {
  const now = deps.now ?? (() => new Date());
  const storiesOf = (namespace: string, queue: string) =>
    deps.cluster
      .allStories()
      .filter((s) => s.summary.namespace === namespace && s.summary.queue === queue)
      .map((s) => s.summary)
      .sort(admissionOrder);
  const findQueue = (namespace: string, name: string) => {
    servedNamespace(deps, namespace, `WorkQueue ${namespace}/${name}`);
    const queue = deps.cluster.queue(namespace, name);
    if (!queue) throw ApiError.notFound(`WorkQueue ${namespace}/${name}`);
    return queue;
  };
  const findBudget = (namespace: string, name: string) => {
    servedNamespace(deps, namespace, `Budget ${namespace}/${name}`);
    const budget = deps.cluster.budget(namespace, name);
    if (!budget) throw ApiError.notFound(`Budget ${namespace}/${name}`);
    return budget;
  };
  const queuesOfBudget = (namespace: string, name: string) =>
    deps.cluster
      .queues(namespace)
      .filter((q) => q.spec.budgetRef === name)
      .map((q) => q.metadata.name);

  const queueControl = async (
    action: string,
    params: { namespace: string; name: string },
    identity: TokenIdentity,
    body: { resourceVersion: string },
    decide: (q: ReturnType<typeof findQueue>) => EditResult,
  ) => {
    findQueue(params.namespace, params.name);
    const { object } = await deps.controls.apply({
      identity,
      action,
      type: RESOURCES.workQueue,
      schema: workQueueSchema,
      ...params,
      resourceVersion: body.resourceVersion,
      request: body,
      decide,
    });
    return queueView(workQueueSchema.parse(object), storiesOf(params.namespace, params.name));
  };
  const budgetControl = async (
    action: string,
    params: { namespace: string; name: string },
    identity: TokenIdentity,
    body: { resourceVersion: string },
    decide: (b: ReturnType<typeof findBudget>) => EditResult,
  ) => {
    findBudget(params.namespace, params.name);
    const { object } = await deps.controls.apply({
      identity,
      action,
      type: RESOURCES.budget,
      schema: budgetSchema,
      ...params,
      resourceVersion: body.resourceVersion,
      request: body,
      decide,
    });
    return budgetView(budgetSchema.parse(object), queuesOfBudget(params.namespace, params.name));
  };

  const queueWrite = {
    tag: 'queues',
    scope: 'write' as const,
    params: namespacedParams,
    response: queueViewSchema,
    errors: [404, 409, 422],
  };
  const budgetWrite = {
    tag: 'budgets',
    scope: 'write' as const,
    params: namespacedParams,
    response: budgetViewSchema,
    errors: [404, 409, 422],
  };

  return [
    route({
      operationId: 'listQueues',
      method: 'get',
      path: '/api/queues',
      summary: 'List WorkQueues with their state and story counts',
      tag: 'queues',
      scope: 'read',
      query: namespaceQuery,
      response: queueListSchema,
      handle: async ({ query }) => ({
        seq: deps.feed.head,
        items: deps.cluster
          .queues(query.namespace)
          .filter((q) => deps.cluster.serves(q.metadata.namespace ?? ''))
          .map((q) => queueView(q, storiesOf(q.metadata.namespace ?? '', q.metadata.name))),
      }),
    }),
    route({
      operationId: 'getQueue',
      method: 'get',
      path: '/api/queues/:namespace/:name',
      summary: 'One WorkQueue with its stories in admission order',
      tag: 'queues',
      scope: 'read',
      params: namespacedParams,
      response: queueDetailSchema,
      errors: [404],
      handle: async ({ params }) => {
        const stories = storiesOf(params.namespace, params.name);
        return { ...queueView(findQueue(params.namespace, params.name), stories), stories };
      },
    }),
    route({
      ...queueWrite,
      operationId: 'pauseQueue',
      method: 'post',
      path: '/api/queues/:namespace/:name/pause',
      summary: 'Pause a whole queue (spec.paused: nothing new is admitted), optionally pausing its running stories too',
      body: queuePauseBody,
      handle: async ({ params, body, identity }) => {
        const view = await queueControl('pauseQueue', params, identity, body, (q) => pauseQueue(q, true));
        if (body.pauseRunning) {
          // Each running story is its own spec patch at the version the cache holds; one that moved on is left as it is.
          for (const story of storiesOf(params.namespace, params.name)) {
            if (!isActive(story)) continue;
            await deps.controls
              .apply({
                identity,
                action: 'pause',
                type: RESOURCES.storyRun,
                schema: storyRunSchema,
                namespace: story.namespace,
                name: story.name,
                resourceVersion: story.resourceVersion,
                request: { queue: params.name, mode: body.pauseRunning },
                decide: (sr) => pauseStory(sr, { mode: body.pauseRunning! }),
              })
              .catch(() => undefined);
          }
        }
        return view;
      },
    }),
    route({
      ...queueWrite,
      operationId: 'resumeQueue',
      method: 'post',
      path: '/api/queues/:namespace/:name/resume',
      summary: 'Resume a paused queue (spec.paused = false)',
      body: queueResumeBody,
      handle: ({ params, body, identity }) =>
        queueControl('resumeQueue', params, identity, body, (q) => pauseQueue(q, false)),
    }),
    route({
      ...queueWrite,
      operationId: 'editQueue',
      method: 'patch',
      path: '/api/queues/:namespace/:name',
      summary: 'Change maxParallel (and maxParallelPerRepository) while it runs',
      body: queueEditBody,
      handle: ({ params, body, identity }) =>
        queueControl('editQueue', params, identity, body, (q) => editQueue(q, body)),
    }),
    route({
      ...queueWrite,
      operationId: 'setQueueSchedule',
      method: 'put',
      path: '/api/queues/:namespace/:name/schedule',
      summary: 'Replace the schedule: time zone, windows, blackouts (do not disturb), override, onClose',
      body: scheduleBody,
      handle: ({ params, body, identity }) =>
        queueControl('setSchedule', params, identity, body, (q) => setSchedule(q, body)),
    }),
    route({
      ...queueWrite,
      operationId: 'setQueueOverride',
      method: 'post',
      path: '/api/queues/:namespace/:name/override',
      summary: 'Start or stop now whatever the schedule says (ForceRun, ForceStop), or follow it again (None)',
      body: overrideBody,
      handle: ({ params, body, identity }) =>
        queueControl('setOverride', params, identity, body, (q) => setOverride(q, body)),
    }),
    route({
      operationId: 'listBudgets',
      method: 'get',
      path: '/api/budgets',
      summary: 'List Budgets: limits, spend, projections, pending increases',
      tag: 'budgets',
      scope: 'read',
      query: namespaceQuery,
      response: budgetListSchema,
      handle: async ({ query }) => ({
        seq: deps.feed.head,
        items: deps.cluster
          .allBudgets(query.namespace)
          .filter((b) => deps.cluster.serves(b.metadata.namespace ?? ''))
          .map((b) => budgetView(b, queuesOfBudget(b.metadata.namespace ?? '', b.metadata.name))),
      }),
    }),
    route({
      operationId: 'getBudget',
      method: 'get',
      path: '/api/budgets/:namespace/:name',
      summary: 'One Budget',
      tag: 'budgets',
      scope: 'read',
      params: namespacedParams,
      response: budgetViewSchema,
      errors: [404],
      handle: async ({ params }) =>
        budgetView(findBudget(params.namespace, params.name), queuesOfBudget(params.namespace, params.name)),
    }),
    route({
      ...budgetWrite,
      operationId: 'editBudget',
      method: 'patch',
      path: '/api/budgets/:namespace/:name',
      summary: 'Adjust daily/weekly limits or the alert threshold; an increase needs confirm: true',
      body: budgetEditBody,
      handle: ({ params, body, identity }) =>
        budgetControl('editBudget', params, identity, body, (b) => editBudget(b, body)),
    }),
    route({
      ...budgetWrite,
      operationId: 'extendBudget',
      method: 'post',
      path: '/api/budgets/:namespace/:name/extensions',
      summary: 'Add budget to the current day or week (an extension; needs confirm: true)',
      body: budgetExtensionBody,
      handle: ({ params, body, identity }) =>
        budgetControl('extendBudget', params, identity, body, (b) => extendBudget(b, body, now())),
    }),
    route({
      ...budgetWrite,
      operationId: 'confirmBudget',
      method: 'post',
      path: '/api/budgets/:namespace/:name/confirm',
      summary: 'Confirm the increase its spec holds (one raised with kubectl, waiting in status.pendingIncrease)',
      body: budgetConfirmBody,
      handle: ({ params, body, identity }) =>
        budgetControl('confirmBudget', params, identity, body, (b) => confirmBudget(b)),
    }),
  ];
}
