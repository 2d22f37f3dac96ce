// Queue events (issue 10): the WorkQueue controller records what happened to
// a queue as a whole in queue_events, keyed so it is recorded once; an
// AutoPaused event (spec.autoPause: repeated failures paused the queue) is a
// critical RepeatedFailures notification. This source reads them with the
// contract's row and data schemas.
import type pg from 'pg';
import { defineTable, queueEventDataSchemas, queueEventRowSchema } from '@nightshift/crds/contract';
import { readSequence, tableExists, type Found, type NotificationSource } from './source.ts';

const queueEvents = defineTable(
  'queue_events',
  queueEventRowSchema.pick({
    id: true,
    namespace: true,
    queue_name: true,
    type: true,
    message: true,
    data: true,
    occurred_at: true,
  }),
  (row) => row.id,
);
export type QueueEventRow = ReturnType<typeof queueEvents.parse>;

const autoPausedSchema = queueEventDataSchemas.AutoPaused;

export function notificationOfQueueEvent(event: QueueEventRow): Found | undefined {
  if (event.type !== 'AutoPaused') return undefined;
  const data = autoPausedSchema.parse(event.data);
  return {
    key: `queue-event/${event.id}`,
    fingerprint: `RepeatedFailures/queue/${event.namespace}/${event.queue_name}`,
    occurredAt: event.occurred_at,
    notification: {
      kind: 'RepeatedFailures',
      queue: { namespace: event.namespace, name: event.queue_name },
      failures: data.failures.map((f) => ({ name: f.name, reason: f.reason })),
      message: event.message,
    },
  };
}

export const queueEventsSource: NotificationSource = {
  name: 'queue_events',
  async collect(db: pg.ClientBase) {
    if (!(await tableExists(db, 'queue_events'))) return [];
    const rows = await readSequence(
      db,
      { source: 'queue_events', table: 'queue_events', timeColumn: 'occurred_at' },
      async (after, limit) =>
        (
          await db.query(
            `select id::text, namespace, queue_name, type, message, data, occurred_at
               from queue_events where id > $1 and type = 'AutoPaused' order by id limit $2`,
            [after, limit],
          )
        ).rows as { id: string }[],
    );
    return queueEvents.parseAll(rows).flatMap((row) => notificationOfQueueEvent(row) ?? []);
  },
};
