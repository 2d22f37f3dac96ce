// Stories: the list, one story in full, its replay, and the story controls
// (pause, resume, abort, reprioritize, create) — each control a spec patch.
import { storyRunSchema, storyRunSpecSchema, type StoryRun } from '@nightshift/crds';
import { RESOURCES } from '@nightshift/crds/contract';
import { z } from 'zod';
import { ApiError } from '../api/problem.ts';
import { route, type Route } from '../api/route.ts';
import {
  abortBody,
  createStoryBody,
  namespacedParams,
  pauseBody,
  replaySchema,
  reprioritizeBody,
  resumeBody,
  storyDetailSchema,
  storyListQuery,
  storyPageSchema,
  storySummarySchema,
  type StoryDetail,
} from '../api/schemas.ts';
import { storyListKey, type IndexedStory } from '../cluster/cluster.ts';
import { abortStory, pauseStory, reprioritizeStory, resumeStory } from '../controls/edits.ts';
import { attemptView } from '../history/attempts.ts';
import { buildReplay } from '../history/replay.ts';
import { decisionsOf, eventsOf, reviewOf, sessionsOf } from '../records/history.ts';
import { pageOfSorted } from '../views/pages.ts';
import { isoTime, podViewOf, storySummary } from '../views/resources.ts';
import { decisionViewOf, reviewViewOf } from './records-views.ts';
import { servedNamespace, type ApiDeps } from './deps.ts';

export function findStory(deps: ApiDeps, namespace: string, name: string): IndexedStory {
  servedNamespace(deps, namespace, `StoryRun ${namespace}/${name}`);
  const story = deps.cluster.story(namespace, name);
  if (!story) throw ApiError.notFound(`StoryRun ${namespace}/${name}`);
  return story;
}

const storyControl = (
  deps: ApiDeps,
  action: string,
  params: { namespace: string; name: string },
  identity: Parameters<Route['handle']>[0]['identity'],
  body: { resourceVersion: string },
  decide: (sr: StoryRun) => ReturnType<typeof pauseStory>,
) => {
  findStory(deps, params.namespace, params.name);
  return deps.controls
    .apply({
      identity,
      action,
      type: RESOURCES.storyRun,
      schema: storyRunSchema,
      namespace: params.namespace,
      name: params.name,
      resourceVersion: body.resourceVersion,
      request: body,
      decide,
    })
    .then(({ object }) => storySummary(storyRunSchema.parse(object)));
};

export function storyRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      operationId: 'listStories',
      method: 'get',
      path: '/api/stories',
      summary: 'List stories, newest first, filtered and paged',
      tag: 'stories',
      scope: 'read',
      query: storyListQuery,
      response: storyPageSchema,
      handle: async ({ query }) => {
        const seq = deps.feed.head;
        const phases = query.phase
          ?.split(',')
          .map((p) => p.trim())
          .filter(Boolean);
        const text = query.q?.toLowerCase();
        const matches = ({ summary: s }: IndexedStory) =>
          (!query.namespace || s.namespace === query.namespace) &&
          (!query.queue || s.queue === query.queue) &&
          (!phases || phases.includes(s.phase ?? 'New')) &&
          (!text || [s.name, s.storyId, s.title].some((f) => f.toLowerCase().includes(text)));
        const found = pageOfSorted(deps.cluster.storiesNewestFirst(), (s) => storyListKey(s.summary), query, matches);
        const page = { items: found.items.map((s) => s.summary), nextCursor: found.nextCursor };
        return { ...page, seq };
      },
    }),
    route({
      operationId: 'getStory',
      method: 'get',
      path: '/api/stories/:namespace/:name',
      summary: 'One story: spec, status, conditions, attempts, pods, cost, pull request, estimate, pending decision',
      tag: 'stories',
      scope: 'read',
      params: namespacedParams,
      response: storyDetailSchema,
      errors: [404],
      handle: async ({ params }) => storyDetail(deps, findStory(deps, params.namespace, params.name)),
    }),
    route({
      operationId: 'replayStory',
      method: 'get',
      path: '/api/stories/:namespace/:name/replay',
      summary:
        'Replay a story from its records: steps with their agent calls, tool calls, decisions, diffs and verify output',
      tag: 'stories',
      scope: 'read',
      params: namespacedParams,
      response: replaySchema,
      errors: [404],
      handle: async ({ params }) => {
        const { run } = findStory(deps, params.namespace, params.name);
        const uid = run.metadata.uid!;
        const [events, sessions, decisions] = await Promise.all([
          eventsOf(deps.pool, uid),
          sessionsOf(deps.pool, uid),
          decisionsOf(deps.pool, uid),
        ]);
        return buildReplay({
          story: { namespace: params.namespace, name: params.name, uid, title: run.spec.story.title },
          events,
          sessions,
          decisions,
        });
      },
    }),
    route({
      operationId: 'createStory',
      method: 'post',
      path: '/api/stories',
      summary: 'Add a story (a new StoryRun) from a form',
      tag: 'stories',
      scope: 'write',
      body: createStoryBody,
      status: 201,
      response: storySummarySchema,
      errors: [404, 409, 422],
      handle: async ({ body, identity }) => {
        servedNamespace(deps, body.namespace, 'namespace');
        const { namespace, name, ...fields } = body;
        const spec = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
        const checked = storyRunSpecSchema.safeParse(spec);
        if (!checked.success) throw ApiError.fromZod('body', checked.error);
        const storyName =
          name ??
          body.story.id
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, '-')
            .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
        if (!storyName) {
          throw ApiError.invalid([{ field: 'body.name', message: 'give a name: none can be made from the story id' }]);
        }
        const object = {
          apiVersion: 'nightshift.dev/v1alpha1',
          kind: 'StoryRun',
          metadata: { name: storyName, namespace },
          spec,
        };
        const created = await deps.controls.create(identity, RESOURCES.storyRun, namespace, object);
        return storySummary(storyRunSchema.parse(created));
      },
    }),
    route({
      operationId: 'pauseStory',
      method: 'post',
      path: '/api/stories/:namespace/:name/pause',
      summary: 'Pause a story: spec.paused (graceful: the step finishes; immediate: the pod stops now)',
      tag: 'stories',
      scope: 'write',
      params: namespacedParams,
      body: pauseBody,
      response: storySummarySchema,
      errors: [404, 409, 422],
      handle: ({ params, body, identity }) =>
        storyControl(deps, 'pause', params, identity, body, (sr) => pauseStory(sr, body)),
    }),
    route({
      operationId: 'resumeStory',
      method: 'post',
      path: '/api/stories/:namespace/:name/resume',
      summary: 'Resume a paused story from its checkpoint: spec.paused = false',
      tag: 'stories',
      scope: 'write',
      params: namespacedParams,
      body: resumeBody,
      response: storySummarySchema,
      errors: [404, 409, 422],
      handle: ({ params, body, identity }) =>
        storyControl(deps, 'resume', params, identity, body, (sr) => resumeStory(sr)),
    }),
    route({
      operationId: 'abortStory',
      method: 'post',
      path: '/api/stories/:namespace/:name/abort',
      summary: 'Abort a story, keeping (pushing) or discarding its work: spec.abort',
      tag: 'stories',
      scope: 'write',
      params: namespacedParams,
      body: abortBody,
      response: storySummarySchema,
      errors: [404, 409, 422],
      handle: ({ params, body, identity }) =>
        storyControl(deps, 'abort', params, identity, body, (sr) => abortStory(sr, body)),
    }),
    route({
      operationId: 'reprioritizeStory',
      method: 'post',
      path: '/api/stories/:namespace/:name/priority',
      summary: 'Reprioritize a story in its queue: priority, position, move to front, skip',
      tag: 'stories',
      scope: 'write',
      params: namespacedParams,
      body: reprioritizeBody,
      response: storySummarySchema,
      errors: [404, 409, 422],
      handle: ({ params, body, identity }) =>
        storyControl(deps, 'reprioritize', params, identity, body, (sr) => {
          const mates = deps.cluster
            .allStories()
            .filter((s) => s.summary.namespace === params.namespace && s.summary.queue === (sr.spec.queueRef ?? null))
            .map((s) => s.run);
          return reprioritizeStory(sr, body, mates);
        }),
    }),
  ];

  async function storyDetail(d: ApiDeps, { run, summary }: IndexedStory): Promise<StoryDetail> {
    const uid = run.metadata.uid!;
    const [sessions, review] = await Promise.all([sessionsOf(d.pool, uid), reviewOf(d.pool, uid)]);
    const pendingId = run.status?.pendingDecision?.id;
    const decisions = pendingId ? await decisionsOf(d.pool, uid) : [];
    const pending = decisions.find((x) => x.id === pendingId);
    return {
      ...summary,
      generation: run.metadata.generation ?? null,
      spec: run.spec,
      status: run.status ?? null,
      conditions: run.status?.conditions ?? [],
      attempts: sessions.map(attemptView),
      pods: d.cluster.podsOf(uid).map(podViewOf),
      events: d.cluster
        .eventsOf(uid)
        .map((e) => ({
          type: e.type ?? 'Normal',
          reason: e.reason ?? '',
          message: e.message ?? '',
          count: e.count ?? 1,
          firstAt: isoTime(e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
          lastAt: isoTime(e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp),
        }))
        .sort((a, b) => (a.lastAt ?? '').localeCompare(b.lastAt ?? '')),
      cost: {
        spentUSD: summary.costUSD,
        capUSD: summary.maxCostUSD,
        estimateUSD: summary.estimateUSD,
        estimateP90USD: summary.estimateP90USD,
      },
      review: review ? reviewViewOf(review, summary.title) : null,
      decision: pending ? decisionViewOf(pending, run) : null,
    };
  }
}

export type StoryListQuery = z.infer<typeof storyListQuery>;
