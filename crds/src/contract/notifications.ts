// What the notifier tells people (Slack, email), as it is kept in its outbox
// (notification_outbox.notification, notification_deliveries.notifications):
// one payload per kind, what each is about, and how urgent it is. Not to be
// confused with notify.ts (Postgres NOTIFY channels between processes).
// Payloads are loose objects so a newer writer may add fields.
import { z } from 'zod';

export const NOTIFICATION_KINDS = [
  'StoryCompleted',
  'StoryFailed',
  'DecisionNeeded',
  'BudgetThreshold',
  'BudgetExceeded',
  'RepeatedFailures',
  'StoryStuck',
  'DailySummary',
  'WeeklyReport',
] as const;
export const notificationKindSchema = z.enum(NOTIFICATION_KINDS);
export type NotificationKind = z.infer<typeof notificationKindSchema>;

/** Critical notifications go at once, even in a do-not-disturb window; normal ones wait until it ends. */
export const SEVERITIES = ['critical', 'normal'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const severityOf = (kind: NotificationKind): Severity =>
  kind === 'BudgetExceeded' || kind === 'RepeatedFailures' ? 'critical' : 'normal';

export const CHANNELS = ['slack', 'email'] as const;
export type Channel = (typeof CHANNELS)[number];

const usd = z.number().min(0);
const instant = z.iso.datetime({ offset: true });

/** The StoryRun a notification is about. */
export const storyRefSchema = z.looseObject({
  namespace: z.string(),
  name: z.string(),
  uid: z.string(),
  /** spec.story.id and title, from the attempt's snapshot. */
  storyId: z.string().optional(),
  title: z.string().optional(),
  /** spec.queueRef: the WorkQueue whose blackouts hold it. */
  queue: z.string().optional(),
});
export type StoryRef = z.infer<typeof storyRefSchema>;

export const budgetRefSchema = z.looseObject({ namespace: z.string(), name: z.string() });
export const queueRefSchema = z.looseObject({ namespace: z.string(), name: z.string() });

const budgetPeriod = {
  budget: budgetRefSchema,
  scope: z.enum(['daily', 'weekly']),
  periodStart: instant,
  spentUSD: usd,
  limitUSD: usd,
  message: z.string(),
};

const summaryStory = z.looseObject({
  namespace: z.string(),
  name: z.string(),
  title: z.string().optional(),
  at: instant,
  pullRequestURL: z.string().optional(),
  reason: z.string().optional(),
  costUSD: usd.optional(),
});

/** What a daily summary or weekly report says, computed from the records when its period ends. */
export const summarySchema = z.looseObject({
  /** The period, in the recipient's time zone. */
  start: instant,
  end: instant,
  timeZone: z.string(),
  completed: z.array(summaryStory),
  failed: z.array(summaryStory),
  waiting: z.array(
    z.looseObject({
      id: z.string(),
      namespace: z.string(),
      name: z.string(),
      question: z.string(),
      askedAt: instant,
    }),
  ),
  started: z.int().min(0),
  spentUSD: usd,
  /** Weekly only: stories finished per day (local date → count). */
  perDay: z.array(z.object({ date: z.string(), completed: z.int(), failed: z.int(), spentUSD: usd })).optional(),
});
export type Summary = z.infer<typeof summarySchema>;

export const notificationSchema = z.discriminatedUnion('kind', [
  z.looseObject({
    kind: z.literal('StoryCompleted'),
    story: storyRefSchema,
    pullRequest: z.looseObject({ url: z.string(), number: z.int().min(1) }),
    confidence: z.number().optional(),
    costUSD: usd.optional(),
  }),
  z.looseObject({ kind: z.literal('StoryFailed'), story: storyRefSchema, reason: z.string(), message: z.string() }),
  z.looseObject({
    kind: z.literal('DecisionNeeded'),
    story: storyRefSchema,
    decision: z.looseObject({
      id: z.string(),
      question: z.string(),
      options: z.array(z.string()),
      recommendation: z.string().optional(),
      step: z.string().optional(),
    }),
  }),
  z.looseObject({ kind: z.literal('BudgetThreshold'), threshold: z.number().optional(), ...budgetPeriod }),
  // A Budget's day or week is spent (its queues admit nothing more), or a story
  // reached its own cost cap (spec.maxCostUSD) and paused.
  z
    .looseObject({
      kind: z.literal('BudgetExceeded'),
      story: storyRefSchema.optional(),
      maxCostUSD: usd.optional(),
      ...z.object(budgetPeriod).partial().shape,
      message: z.string(),
    })
    .refine((n) => n.story !== undefined || n.budget !== undefined, 'names a story or a budget'),
  z.looseObject({
    kind: z.literal('RepeatedFailures'),
    /** A story whose pods failed past spec.backoffLimit, or a queue that paused itself (spec.autoPause). */
    story: storyRefSchema.optional(),
    queue: queueRefSchema.optional(),
    failures: z.array(z.looseObject({ name: z.string(), reason: z.string() })),
    message: z.string(),
  }),
  z.looseObject({ kind: z.literal('StoryStuck'), story: storyRefSchema, reason: z.string(), message: z.string() }),
  z.looseObject({ kind: z.literal('DailySummary'), summary: summarySchema }),
  z.looseObject({ kind: z.literal('WeeklyReport'), summary: summarySchema }),
]);
export type Notification = z.infer<typeof notificationSchema>;
export type NotificationOf<K extends NotificationKind> = Extract<Notification, { kind: K }>;

export interface NotificationSubject {
  story?: StoryRef | undefined;
  budget?: z.infer<typeof budgetRefSchema> | undefined;
  queue?: z.infer<typeof queueRefSchema> | undefined;
  /** The namespace it concerns; undefined for summaries (they span a recipient's namespaces). */
  namespace?: string | undefined;
}

/** What a notification is about: routing by namespace and do-not-disturb by queue read it. */
export function subjectOf(n: Notification): NotificationSubject {
  switch (n.kind) {
    case 'DailySummary':
    case 'WeeklyReport':
      return {};
    case 'BudgetThreshold':
      return { budget: n.budget, namespace: n.budget.namespace };
    case 'BudgetExceeded':
      return { story: n.story, budget: n.budget, namespace: n.story?.namespace ?? n.budget?.namespace };
    case 'RepeatedFailures':
      return { story: n.story, queue: n.queue, namespace: n.story?.namespace ?? n.queue?.namespace };
    default:
      return { story: n.story, namespace: n.story.namespace };
  }
}
