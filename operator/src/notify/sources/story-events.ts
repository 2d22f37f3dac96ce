// Notifications from a story's history (execution_events): the operator's
// transitions (a story finished, paused at its cost cap, failed past its
// backoff limit, or has a pod that cannot start) and the runner's questions.
// Each event is joined with the story's latest attempt, which names it.
import type pg from 'pg';
import { z } from 'zod';
import {
  ATTEMPT_OUTCOMES,
  attemptOutcomeSchema,
  defineTable,
  executionEvents,
  numericColumn,
  runnerEventDataSchemas,
  type ExecutionEvent,
  type StoryRef,
} from '@nightshift/crds/contract';
import { readSequence, type Found, type NotificationSource } from './source.ts';

const storyContextSchema = z.object({
  story_uid: z.string(),
  namespace: z.string(),
  name: z.string(),
  story_id: z.string(),
  title: z.string().nullable(),
  queue: z.string().nullable(),
  cost_usd: numericColumn,
  max_cost_usd: numericColumn.nullable(),
  outcome: z.enum(ATTEMPT_OUTCOMES).nullable(),
  outcome_detail: z.unknown(),
});
type StoryContext = z.infer<typeof storyContextSchema>;
const storyContexts = defineTable('execution_sessions', storyContextSchema, (row) => row.story_uid);

/** The story's latest attempt, as the columns story-context readers need (also used by summary.ts). */
export const LATEST_ATTEMPT = `join lateral (
    select x.namespace, x.name, x.story_id, x.storyrun #>> '{spec,story,title}' as title,
           x.storyrun #>> '{spec,queueRef}' as queue, x.cost_usd, x.max_cost_usd, x.outcome, x.outcome_detail
      from execution_sessions x where x.story_uid = e.story_uid order by x.attempt desc limit 1) s on true`;

const storyRefOf = (c: StoryContext): StoryRef => ({
  namespace: c.namespace,
  name: c.name,
  uid: c.story_uid,
  storyId: c.story_id,
  ...(c.title ? { title: c.title } : {}),
  ...(c.queue ? { queue: c.queue } : {}),
});

/** The notification an event of a story calls for, if any. */
export function notificationOfStoryEvent(event: ExecutionEvent, context: StoryContext): Found | undefined {
  const story = storyRefOf(context);
  const base = { key: `event/${event.id}`, occurredAt: event.occurredAt };
  const message = event.message ?? '';
  if (event.source === 'runner') {
    if (event.type !== 'DecisionAsked') return undefined;
    const asked = runnerEventDataSchemas.DecisionAsked.parse(event.data);
    return {
      ...base,
      fingerprint: `DecisionNeeded/${asked.id}`,
      notification: {
        kind: 'DecisionNeeded',
        story,
        decision: {
          id: asked.id,
          question: asked.question,
          options: asked.options,
          step: asked.step,
          ...(asked.recommendation ? { recommendation: asked.recommendation } : {}),
        },
      },
    };
  }
  if (event.data.completes === true && event.data.phase === 'Succeeded') {
    const outcome = attemptOutcomeSchema.safeParse({ outcome: context.outcome, detail: context.outcome_detail });
    if (!outcome.success || outcome.data.outcome !== 'Succeeded') return undefined;
    return {
      ...base,
      fingerprint: `StoryCompleted/${story.uid}`,
      notification: {
        kind: 'StoryCompleted',
        story,
        pullRequest: outcome.data.detail.pullRequest,
        confidence: outcome.data.detail.confidence,
        costUSD: context.cost_usd,
      },
    };
  }
  if (event.data.completes === true && event.data.phase === 'Failed') {
    if (event.type === 'BackoffLimitExceeded') {
      return {
        ...base,
        fingerprint: `RepeatedFailures/story/${story.uid}`,
        notification: {
          kind: 'RepeatedFailures',
          story,
          failures: [{ name: story.name, reason: event.type }],
          message,
        },
      };
    }
    return {
      ...base,
      fingerprint: `StoryFailed/${story.uid}`,
      notification: { kind: 'StoryFailed', story, reason: event.type, message },
    };
  }
  if (event.type === 'BudgetExceeded') {
    return {
      ...base,
      fingerprint: `BudgetExceeded/story/${story.uid}`,
      notification: {
        kind: 'BudgetExceeded',
        story,
        message,
        ...(context.max_cost_usd !== null ? { maxCostUSD: context.max_cost_usd } : {}),
      },
    };
  }
  if (event.type === 'PodStalled') {
    const reason = /\(([A-Z][A-Za-z0-9]*)\)$/.exec(message)?.[1] ?? 'PodStalled';
    return {
      ...base,
      fingerprint: `StoryStuck/${story.uid}/${reason}`,
      notification: { kind: 'StoryStuck', story, reason, message },
    };
  }
  return undefined;
}

export const storyEventsSource: NotificationSource = {
  name: 'execution_events',
  async collect(db: pg.ClientBase) {
    const rows = await readSequence(
      db,
      { source: 'execution_events', table: 'execution_events', timeColumn: 'occurred_at' },
      async (after, limit) =>
        (
          await db.query(
            `select e.id::text, e.session_id, e.story_uid, e.occurred_at, e.source, e.type, e.step, e.message, e.data,
                    e.idempotency_key, s.*
               from execution_events e ${LATEST_ATTEMPT}
              where e.id > $1
                and ((e.source = 'operator' and (e.data ? 'completes' or e.type = any($3)))
                  or (e.source = 'runner' and e.type = 'DecisionAsked'))
              order by e.id limit $2`,
            [after, limit, ['BudgetExceeded', 'PodStalled']],
          )
        ).rows as { id: string }[],
    );
    return rows.flatMap((row) => notificationOfStoryEvent(executionEvents.parse(row), storyContexts.parse(row)) ?? []);
  },
};

export type { StoryContext };
