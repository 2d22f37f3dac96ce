// The WebSocket /api/events: subprotocols, the subscription, and every
// message either side sends.
import { z } from 'zod';
import { CHANGE_KINDS, CHANGE_OPS } from '@nightshift/crds/contract';
import { dnsLabel, objectName, time } from './common.ts';
import { eventViewSchema } from './history.ts';

export const WEBSOCKET_PROTOCOL = 'nightshift.v1';
/** The token travels as a second subprotocol, `nightshift.bearer.<token>`, never in the URL. */
export const WEBSOCKET_TOKEN_PREFIX = 'nightshift.bearer.';

export const subscriptionFilterSchema = z
  .object({
    namespace: dnsLabel.optional(),
    story: z.object({ namespace: dnsLabel, name: objectName }).optional().meta({
      description: 'Only this StoryRun: its changes, its pods and its execution events.',
    }),
    queue: z.object({ namespace: dnsLabel, name: objectName }).optional().meta({
      description: 'Only this WorkQueue and its stories.',
    }),
    kinds: z.array(z.enum(CHANGE_KINDS)).min(1).optional(),
  })
  .meta({ id: 'SubscriptionFilter' });
export type SubscriptionFilter = z.infer<typeof subscriptionFilterSchema>;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    after: z.int().min(0).optional().meta({
      description: 'The last seq received: everything after it is replayed first. Unset: only new changes.',
    }),
    filter: subscriptionFilterSchema.optional(),
  }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export const changeMessageSchema = z.object({
  type: z.literal('change'),
  seq: z.int(),
  at: time,
  kind: z.enum(CHANGE_KINDS),
  op: z.enum(CHANGE_OPS),
  uid: z.string(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  storyUid: z.string().nullable(),
  storyName: z
    .string()
    .nullable()
    .meta({ description: 'The StoryRun this change belongs to (its own name, its pod’s, its event’s).' }),
  queue: z.string().nullable().meta({ description: 'The WorkQueue of that StoryRun, or the WorkQueue itself.' }),
  resourceVersion: z.string().nullable(),
  object: z
    .unknown()
    .meta({ description: 'The view of the object (StorySummary, Queue, Budget, Pod); null on delete.' }),
  event: eventViewSchema.nullable(),
});
export type ChangeMessage = z.infer<typeof changeMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  changeMessageSchema,
  z.object({ type: z.literal('subscribed'), after: z.int().nullable(), head: z.int() }),
  z.object({ type: z.literal('caughtUp'), seq: z.int() }),
  z.object({ type: z.literal('heartbeat'), seq: z.int(), at: time }),
  z.object({
    type: z.literal('reset'),
    seq: z.int(),
    detail: z
      .string()
      .meta({ description: 'The changes asked for were pruned: read again over REST, follow from seq.' }),
  }),
  z.object({ type: z.literal('error'), detail: z.string() }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
