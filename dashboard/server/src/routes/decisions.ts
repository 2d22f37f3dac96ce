// Decisions: pending and answered, with full context, and answering many in
// one request. Answers are grouped by story, one spec patch per story at the
// resourceVersion given, so a decision is applied whole or not at all, once;
// each item reports how it went.
import { storyRunSchema } from '@nightshift/crds';
import { RESOURCES } from '@nightshift/crds/contract';
import { ApiError } from '../api/problem.ts';
import { route, type Route } from '../api/route.ts';
import {
  CONTROL_RESULTS,
  decideBody,
  decideResponse,
  decisionListQuery,
  decisionPageSchema,
  type DecisionAnswerItem,
} from '../api/schemas.ts';
import { answerDecisions } from '../controls/edits.ts';
import { decisionsOf, listDecisions } from '../records/history.ts';
import { decodeCursor, encodeCursor } from '../views/pages.ts';
import { namespacesFilter, servedNamespace, type ApiDeps } from './deps.ts';
import { decisionViewOf } from './records-views.ts';

type Result = (typeof CONTROL_RESULTS)[number];

const resultOf = (status: number): Result =>
  status === 409 ? 'conflict' : status === 404 ? 'notFound' : status < 500 ? 'invalid' : 'failed';

export function decisionRoutes(deps: ApiDeps): Route[] {
  return [
    route({
      operationId: 'listDecisions',
      method: 'get',
      path: '/api/decisions',
      summary: 'Decisions waiting for a human (or answered, or all), newest first, with their full context',
      tag: 'decisions',
      scope: 'read',
      query: decisionListQuery,
      response: decisionPageSchema,
      handle: async ({ query }) => {
        if (query.story && !query.namespace) {
          throw ApiError.invalid([{ field: 'query.namespace', message: 'is required with story' }]);
        }
        const seq = deps.feed.head;
        const after = query.cursor ? decodeCursor(query.cursor, 2) : undefined;
        const rows = await listDecisions(deps.pool, {
          state: query.state === 'pending' ? 'pending' : query.state,
          namespaces: namespacesFilter(deps, query.namespace),
          name: query.story,
          after: after ? { askedAt: String(after[0]), id: String(after[1]) } : undefined,
          limit: query.limit + 1,
        });
        const views = rows
          .slice(0, query.limit)
          .map((d) => decisionViewOf(d, deps.cluster.storyByUid(d.storyUid)?.run))
          // Recorded as open but answered in spec.decisions already: the operator has not copied it in yet.
          .filter((d) => query.state !== 'pending' || d.pending);
        const last = rows[query.limit - 1];
        return {
          items: views,
          nextCursor: rows.length > query.limit && last ? encodeCursor([last.askedAt.toISOString(), last.id]) : null,
          seq,
        };
      },
    }),
    route({
      operationId: 'decide',
      method: 'post',
      path: '/api/decisions',
      summary: 'Answer one or many decisions (spec.decisions); each is applied once, and each item says how it went',
      tag: 'decisions',
      scope: 'write',
      body: decideBody,
      response: decideResponse,
      handle: async ({ body, identity }) => {
        const groups = new Map<string, DecisionAnswerItem[]>();
        for (const item of body.decisions) {
          const key = `${item.namespace}/${item.name}`;
          groups.set(key, [...(groups.get(key) ?? []), item]);
        }
        const results = new Map<
          DecisionAnswerItem,
          { result: Result; status: number; detail?: string; resourceVersion: string | null }
        >();
        for (const items of groups.values()) {
          const { namespace, name } = items[0]!;
          const versions = new Set(items.map((i) => i.resourceVersion));
          try {
            if (versions.size > 1) {
              throw ApiError.invalid([
                {
                  field: 'body.decisions.resourceVersion',
                  message: `answers for ${namespace}/${name} name different resourceVersions`,
                },
              ]);
            }
            servedNamespace(deps, namespace, `StoryRun ${namespace}/${name}`);
            const story = deps.cluster.story(namespace, name);
            if (!story) throw ApiError.notFound(`StoryRun ${namespace}/${name}`);
            const asked = new Set((await decisionsOf(deps.pool, story.run.metadata.uid!)).map((d) => d.id));
            const outcome = await deps.controls.apply({
              identity,
              action: 'decide',
              type: RESOURCES.storyRun,
              schema: storyRunSchema,
              namespace,
              name,
              resourceVersion: items[0]!.resourceVersion,
              request: { decisions: items.map(({ id, choice, comment }) => ({ id, choice, comment })) },
              decide: (sr) => answerDecisions(sr, items, asked),
            });
            const resourceVersion = outcome.object.metadata?.resourceVersion ?? null;
            for (const item of items) {
              results.set(item, {
                result: outcome.result === 'applied' ? 'applied' : 'unchanged',
                status: 200,
                resourceVersion,
              });
            }
          } catch (error) {
            const status = error instanceof ApiError ? error.status : 500;
            const detail = error instanceof ApiError ? error.message : 'the decision could not be applied';
            for (const item of items)
              results.set(item, { result: resultOf(status), status, detail, resourceVersion: null });
          }
        }
        return {
          results: body.decisions.map((item) => ({
            namespace: item.namespace,
            name: item.name,
            id: item.id,
            ...results.get(item)!,
          })),
        };
      },
    }),
  ];
}
