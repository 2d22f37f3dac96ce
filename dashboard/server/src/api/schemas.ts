// Every shape the dashboard API takes and returns, once: the server validates
// requests and its own responses with these, the OpenAPI document is
// generated from them, and the web app (issue 12) imports them
// (`@nightshift/dashboard/api`) to type and check what it receives.
import { z } from 'zod';
import {
  agentSchema,
  budgetSpecSchema,
  budgetStatusSchema,
  conditionSchema,
  repositorySchema,
  scheduleSchema,
  storyRunPhaseSchema,
  storyRunSpecSchema,
  storyRunStatusSchema,
  storySchema,
  verifySchema,
  workQueueSpecSchema,
  workQueueStatusSchema,
} from '@nightshift/crds';
import {
  AUDIT_OUTCOMES,
  CHANGE_KINDS,
  CHANGE_OPS,
  DECISION_KINDS,
  REVIEW_STATES,
  TOKEN_SCOPES,
} from '@nightshift/crds/contract';

const time = z.iso.datetime({ offset: true });
const usd = z.number();
const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a Kubernetes namespace name (lower case, digits and -)');
const objectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'must be a Kubernetes object name (lower case, digits, - and .)');
export const resourceVersionSchema = z.string().min(1).max(64).meta({
  description:
    'The metadata.resourceVersion the edit is based on; an edit of an object that changed since answers 409 (read it again and retry).',
});

// ---- errors --------------------------------------------------------------

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z
      .array(z.object({ field: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Each invalid field, named by where it is (body.resourceVersion, query.limit).' }),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details (application/problem+json).' });
export type Problem = z.infer<typeof problemSchema>;

// ---- paths and pages -----------------------------------------------------

export const namespacedParams = z.object({
  namespace: dnsLabel.meta({ param: { description: 'The namespace of the object.' } }),
  name: objectName.meta({ param: { description: 'The name of the object.' } }),
});
export type NamespacedParams = z.infer<typeof namespacedParams>;

const limit = z.coerce.number().int().min(1).max(500).default(50).meta({ description: 'Items per page (1..500).' });
const cursor = z.string().max(512).optional().meta({ description: 'The nextCursor of the previous page.' });
export const pageQuery = z.object({ limit, cursor });

const page = <T extends z.ZodType>(item: T, id: string) =>
  z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().meta({ description: 'Pass as cursor for the next page; null on the last.' }),
      seq: z.int().min(0).meta({
        description:
          'The change-log sequence number when this page was read: subscribe to /api/events after it to follow changes.',
      }),
    })
    .meta({ id });

// ---- stories -------------------------------------------------------------

export const pullRequestRefSchema = z.object({ url: z.string(), number: z.int() });

export const storySummarySchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    storyId: z.string(),
    title: z.string(),
    repository: z.string(),
    backend: z.string(),
    queue: z.string().nullable(),
    priority: z.int(),
    position: z.int().nullable(),
    skip: z.boolean(),
    paused: z.boolean(),
    pauseMode: z.enum(['Graceful', 'Immediate']),
    abortRequested: z.boolean(),
    phase: storyRunPhaseSchema.nullable(),
    step: z.string().nullable(),
    message: z.string().nullable(),
    attempt: z.int(),
    costUSD: usd,
    maxCostUSD: usd.nullable(),
    estimateUSD: usd.nullable(),
    estimateP90USD: usd.nullable(),
    queuePosition: z.int().nullable(),
    pullRequest: pullRequestRefSchema.nullable(),
    pendingDecision: z.object({ id: z.string(), kind: z.enum(DECISION_KINDS), question: z.string() }).nullable(),
    startedAt: time.nullable(),
    completedAt: time.nullable(),
  })
  .meta({ id: 'StorySummary' });
export type StorySummary = z.infer<typeof storySummarySchema>;

export const storyListQuery = pageQuery.extend({
  namespace: dnsLabel.optional(),
  queue: objectName.optional().meta({ description: 'Only stories of this WorkQueue (spec.queueRef).' }),
  phase: z
    .string()
    .max(200)
    .optional()
    .meta({ description: 'Comma-separated phases, e.g. Running,WaitingForHuman; "New" for stories without one.' }),
  q: z.string().max(200).optional().meta({ description: 'Text in the name, story id or title.' }),
});
export const storyPageSchema = page(storySummarySchema, 'StoryPage');

export const attemptSchema = z
  .object({
    attempt: z.int(),
    mode: z.string(),
    podName: z.string(),
    createdAt: time,
    runnerStartedAt: time.nullable(),
    endedAt: time.nullable(),
    step: z.string().nullable(),
    costUSD: usd,
    maxCostUSD: usd.nullable(),
    outcome: z.string().nullable(),
    outcomeDetail: z.record(z.string(), z.unknown()).nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'Attempt' });

export const podViewSchema = z
  .object({
    name: z.string(),
    uid: z.string(),
    attempt: z.int().nullable(),
    phase: z.string().nullable(),
    reason: z.string().nullable(),
    message: z.string().nullable(),
    nodeName: z.string().nullable(),
    startedAt: time.nullable(),
    terminating: z.boolean(),
    restarts: z.int(),
  })
  .meta({ id: 'Pod' });
export type PodView = z.infer<typeof podViewSchema>;

export const kubeEventSchema = z
  .object({
    type: z.string(),
    reason: z.string(),
    message: z.string(),
    count: z.int(),
    firstAt: time.nullable(),
    lastAt: time.nullable(),
  })
  .meta({ id: 'KubernetesEvent' });

export const decisionViewSchema = z
  .object({
    id: z.string(),
    namespace: z.string(),
    name: z.string().meta({ description: 'The StoryRun that asks.' }),
    storyUid: z.string(),
    kind: z.enum(DECISION_KINDS),
    step: z.string().nullable(),
    question: z.string(),
    context: z.string().meta({ description: 'Everything a human needs to decide (markdown).' }),
    options: z.array(z.string()),
    recommendation: z.string().nullable(),
    askedAt: time,
    answeredAt: time.nullable(),
    choice: z.string().nullable(),
    comment: z.string().nullable(),
    answeredBy: z.string().nullable(),
    pending: z.boolean().meta({ description: 'Asked and not answered (neither recorded nor in spec.decisions).' }),
    resourceVersion: z.string().nullable().meta({ description: "The StoryRun's resourceVersion, to answer with." }),
    storyPhase: storyRunPhaseSchema.nullable(),
    storyTitle: z.string().nullable(),
  })
  .meta({ id: 'Decision' });
export type DecisionView = z.infer<typeof decisionViewSchema>;

export const reviewViewSchema = z
  .object({
    id: z.string(),
    namespace: z.string(),
    name: z.string(),
    storyUid: z.string(),
    repository: z.string(),
    number: z.int(),
    url: z.string(),
    headBranch: z.string(),
    baseBranch: z.string(),
    draft: z.boolean(),
    confidence: z.number().nullable(),
    costUSD: usd.nullable(),
    createdAt: time,
    reviewState: z.enum(REVIEW_STATES),
    storyTitle: z.string().nullable(),
  })
  .meta({ id: 'PullRequestReview' });

export const storyDetailSchema = storySummarySchema
  .extend({
    generation: z.int().nullable(),
    spec: storyRunSpecSchema,
    status: storyRunStatusSchema.nullable(),
    conditions: z.array(conditionSchema),
    attempts: z.array(attemptSchema),
    pods: z.array(podViewSchema),
    events: z.array(kubeEventSchema),
    cost: z.object({
      spentUSD: usd,
      capUSD: usd.nullable(),
      estimateUSD: usd.nullable(),
      estimateP90USD: usd.nullable(),
    }),
    review: reviewViewSchema.nullable(),
    decision: decisionViewSchema.nullable().meta({ description: 'The pending decision with its full context.' }),
  })
  .meta({ id: 'StoryDetail' });
export type StoryDetail = z.infer<typeof storyDetailSchema>;

// ---- controls ------------------------------------------------------------

export const pauseBody = z.object({
  resourceVersion: resourceVersionSchema,
  mode: z.enum(['Graceful', 'Immediate']).default('Graceful').meta({
    description: 'Graceful: the step in flight finishes and is checkpointed; Immediate: the pod stops now.',
  }),
});
export const resumeBody = z.object({ resourceVersion: resourceVersionSchema });
export const abortBody = z.object({
  resourceVersion: resourceVersionSchema,
  keepWork: z.boolean().default(false).meta({ description: 'Push the work-in-progress branch before cleaning up.' }),
});
export const reprioritizeBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    priority: z.int().min(-1000).max(1000).optional(),
    position: z.int().min(-1000000).max(1000000).nullable().optional().meta({
      description: 'Order within its priority (lower first); null clears it.',
    }),
    moveToFront: z.boolean().optional().meta({
      description: 'Set position below the lowest in its queue (within its priority).',
    }),
    skip: z.boolean().optional(),
  })
  .refine((b) => b.priority !== undefined || b.position !== undefined || b.moveToFront || b.skip !== undefined, {
    message: 'name at least one of priority, position, moveToFront, skip',
    path: ['priority'],
  })
  .refine((b) => !(b.moveToFront && b.position !== undefined), {
    message: 'moveToFront and position exclude each other',
    path: ['moveToFront'],
  });

export const createStoryBody = z
  .object({
    namespace: dnsLabel,
    name: objectName.max(63).optional().meta({ description: 'Defaults to the story id, lower-cased.' }),
    story: storySchema,
    repository: repositorySchema,
    agent: agentSchema.optional(),
    verify: verifySchema.optional(),
    queueRef: objectName.optional(),
    budgetRef: objectName.optional(),
    priority: z.int().min(-1000).max(1000).optional(),
    maxCostUSD: z.number().min(0).max(1_000_000).optional(),
    confidenceThreshold: z.number().min(0).max(1).optional(),
    backoffLimit: z.int().min(0).max(20).optional(),
  })
  .meta({ id: 'NewStory' });
export type CreateStoryBody = z.infer<typeof createStoryBody>;

export const decisionAnswerItem = z.object({
  namespace: dnsLabel,
  name: objectName,
  id: z.string().min(1).max(253).meta({ description: 'The decision id (status.pendingDecision.id).' }),
  choice: z.string().min(1).max(1024),
  comment: z.string().max(65536).optional(),
  resourceVersion: resourceVersionSchema,
});
export const decideBody = z.object({ decisions: z.array(decisionAnswerItem).min(1).max(100) });
export type DecisionAnswerItem = z.infer<typeof decisionAnswerItem>;

export const CONTROL_RESULTS = ['applied', 'unchanged', 'conflict', 'notFound', 'invalid', 'failed'] as const;
export const decisionResultSchema = z.object({
  namespace: z.string(),
  name: z.string(),
  id: z.string(),
  result: z.enum(CONTROL_RESULTS),
  status: z.int().meta({ description: 'The HTTP status this item alone would have had.' }),
  detail: z.string().optional(),
  resourceVersion: z.string().nullable().meta({ description: "The StoryRun's resourceVersion after this item." }),
});
export const decideResponse = z
  .object({
    results: z.array(decisionResultSchema).meta({ description: 'One per requested decision, in request order.' }),
  })
  .meta({ id: 'DecisionResults' });

export const queuePauseBody = z.object({
  resourceVersion: resourceVersionSchema,
  pauseRunning: z.enum(['Graceful', 'Immediate']).optional().meta({
    description: "Also pause the queue's stories that run now (each a StoryRun spec patch); unset: they go on.",
  }),
});
export const queueResumeBody = z.object({ resourceVersion: resourceVersionSchema });
export const queueEditBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    maxParallel: z.int().min(0).max(1000).optional(),
    maxParallelPerRepository: z.int().min(1).max(1000).nullable().optional(),
  })
  .refine((b) => b.maxParallel !== undefined || b.maxParallelPerRepository !== undefined, {
    message: 'name maxParallel or maxParallelPerRepository',
    path: ['maxParallel'],
  });
export const scheduleBody = z.object({
  resourceVersion: resourceVersionSchema,
  schedule: scheduleSchema.nullable().meta({ description: 'The whole schedule; null removes it (always open).' }),
});
export const overrideBody = z.object({
  resourceVersion: resourceVersionSchema,
  override: z.enum(['None', 'ForceRun', 'ForceStop']),
});

export const budgetEditBody = z
  .object({
    resourceVersion: resourceVersionSchema,
    dailyLimitUSD: z.number().min(0).max(1_000_000).nullable().optional(),
    weeklyLimitUSD: z.number().min(0).max(1_000_000).nullable().optional(),
    alertThreshold: z.number().min(0).max(1).optional(),
    confirm: z.boolean().default(false).meta({
      description:
        'The person confirmed an increase (a raised or removed limit): sets the confirmation annotation with the edit. Required for an increase.',
    }),
  })
  .refine((b) => b.dailyLimitUSD !== undefined || b.weeklyLimitUSD !== undefined || b.alertThreshold !== undefined, {
    message: 'name dailyLimitUSD, weeklyLimitUSD or alertThreshold',
    path: ['dailyLimitUSD'],
  });
export const budgetExtensionBody = z.object({
  resourceVersion: resourceVersionSchema,
  amountUSD: z.number().min(0).max(1_000_000),
  period: z.enum(['Today', 'ThisWeek']).default('Today'),
  reason: z.string().min(1).max(1024),
  confirm: z.literal(true).meta({ description: 'An extension is an increase: the person must confirm it.' }),
});
export const budgetConfirmBody = z.object({ resourceVersion: resourceVersionSchema });

// ---- queues and budgets --------------------------------------------------

export const queueViewSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    spec: workQueueSpecSchema,
    status: workQueueStatusSchema.nullable(),
    counts: z.record(z.string(), z.int()).meta({ description: "Its stories by phase ('New' for none yet)." }),
  })
  .meta({ id: 'Queue' });
export type QueueView = z.infer<typeof queueViewSchema>;
export const queueDetailSchema = queueViewSchema
  .extend({ stories: z.array(storySummarySchema).meta({ description: 'Its stories in admission order.' }) })
  .meta({ id: 'QueueDetail' });

export const budgetViewSchema = z
  .object({
    namespace: z.string(),
    name: z.string(),
    uid: z.string(),
    resourceVersion: z.string(),
    createdAt: time.nullable(),
    spec: budgetSpecSchema,
    status: budgetStatusSchema.nullable(),
    confirmation: z.object({
      annotation: z.string().nullable().meta({ description: 'The confirmation the Budget carries now.' }),
      current: z.string().meta({ description: 'The confirmation its spec needs: equal means confirmed.' }),
      confirmed: z.boolean(),
    }),
    queues: z.array(z.string()).meta({ description: 'The WorkQueues that draw on it.' }),
  })
  .meta({ id: 'Budget' });
export type BudgetView = z.infer<typeof budgetViewSchema>;

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), seq: z.int().min(0) }).meta({ id });
export const queueListSchema = listOf(queueViewSchema, 'QueueList');
export const budgetListSchema = listOf(budgetViewSchema, 'BudgetList');
export const namespaceQuery = z.object({ namespace: dnsLabel.optional() });

// ---- decisions, reviews, audit, operators --------------------------------

export const decisionListQuery = pageQuery.extend({
  state: z.enum(['pending', 'answered', 'all']).default('pending'),
  namespace: dnsLabel.optional(),
  story: objectName.optional().meta({ description: 'Only decisions of this StoryRun (with namespace).' }),
});
export const decisionPageSchema = page(decisionViewSchema, 'DecisionPage');

export const reviewListQuery = pageQuery.extend({
  state: z.enum([...REVIEW_STATES, 'all']).default('Pending'),
  namespace: dnsLabel.optional(),
});
export const reviewPageSchema = page(reviewViewSchema, 'ReviewPage');

export const auditEntrySchema = z
  .object({
    id: z.int(),
    at: time,
    tokenName: z.string(),
    action: z.string(),
    kind: z.string(),
    namespace: z.string().nullable(),
    name: z.string().nullable(),
    request: z.unknown(),
    before: z.unknown(),
    after: z.unknown(),
    outcome: z.enum(AUDIT_OUTCOMES),
    status: z.int().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'AuditEntry' });
export const auditListQuery = pageQuery.extend({ namespace: dnsLabel.optional(), name: objectName.optional() });
export const auditPageSchema = page(auditEntrySchema, 'AuditPage');

export const operatorRunSchema = z
  .object({
    id: z.string(),
    identity: z.string(),
    hostname: z.string(),
    version: z.string(),
    status: z.enum(['running', 'stopped', 'crashed']),
    startedAt: time,
    lastSeenAt: time,
    stoppedAt: time.nullable(),
    stopReason: z.string().nullable(),
  })
  .meta({ id: 'OperatorRun' });
export const operatorRunsSchema = z.object({ items: z.array(operatorRunSchema) }).meta({ id: 'OperatorRuns' });

export const whoamiSchema = z
  .object({ name: z.string(), scope: z.enum(TOKEN_SCOPES), namespaces: z.array(z.string()) })
  .meta({ id: 'Whoami' });

// ---- history: events, replay, timeline, aggregates -----------------------

export const eventViewSchema = z
  .object({
    id: z.int().meta({ description: 'The execution event id (its own sequence).' }),
    storyUid: z.string(),
    sessionId: z.string().nullable(),
    at: time,
    source: z.enum(['operator', 'runner']),
    type: z.string(),
    step: z.string().nullable(),
    message: z.string().nullable(),
    data: z.record(z.string(), z.unknown()),
  })
  .meta({ id: 'ExecutionEvent' });
export type EventView = z.infer<typeof eventViewSchema>;

const replayItem = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('agentCall'),
    at: time,
    purpose: z.string(),
    model: z.string().nullable(),
    inputTokens: z.int().nullable(),
    outputTokens: z.int().nullable(),
    costUSD: usd.nullable(),
    reservedUSD: usd.nullable(),
    durationMs: z.int().nullable(),
  }),
  z.object({
    type: z.literal('toolCall'),
    at: time,
    tool: z.string(),
    ok: z.boolean(),
    durationMs: z.int(),
    changed: z.string().nullable(),
  }),
  z.object({
    type: z.literal('decision'),
    at: time,
    by: z.enum(['auto', 'human']),
    decisionId: z.string().nullable(),
    kind: z.string(),
    question: z.string().nullable(),
    choice: z.string().nullable(),
    detail: z.string().nullable(),
  }),
  z.object({
    type: z.literal('commit'),
    at: time,
    sha: z.string(),
    files: z.array(z.object({ status: z.string(), path: z.string(), diff: z.string().nullable() })),
  }),
  z.object({
    type: z.literal('verify'),
    at: time,
    passed: z.boolean(),
    command: z.array(z.string()),
    exitCode: z.int().nullable(),
    durationMs: z.int(),
    output: z.string(),
  }),
  z.object({ type: z.literal('review'), at: time, verdict: z.string(), summary: z.string() }),
  z.object({
    type: z.literal('event'),
    at: time,
    source: z.string(),
    name: z.string(),
    message: z.string().nullable(),
  }),
]);
export type ReplayItem = z.infer<typeof replayItem>;

export const replayStepSchema = z.object({
  node: z.string(),
  step: z.string(),
  attempt: z.int(),
  visit: z.int(),
  startedAt: time,
  finishedAt: time.nullable(),
  durationMs: z.int().nullable(),
  costUSD: usd,
  items: z.array(replayItem),
});
export type ReplayStep = z.infer<typeof replayStepSchema>;

export const replaySchema = z
  .object({
    story: z.object({ namespace: z.string(), name: z.string(), uid: z.string(), title: z.string().nullable() }),
    attempts: z.array(attemptSchema),
    before: z.array(replayItem).meta({ description: 'What happened before the first step (admission, pod start).' }),
    steps: z.array(replayStepSchema),
    totals: z.object({
      costUSD: usd,
      agentCalls: z.int(),
      toolCalls: z.int(),
      inputTokens: z.int(),
      outputTokens: z.int(),
      durationMs: z.int().nullable(),
      humanDecisions: z.int(),
      autoDecisions: z.int(),
    }),
  })
  .meta({ id: 'Replay' });
export type Replay = z.infer<typeof replaySchema>;

export const timelineQuery = z.object({
  from: time.optional().meta({ description: 'Start of the range (default: 24 hours before to).' }),
  to: time.optional().meta({ description: 'End of the range (default: now).' }),
  namespace: dnsLabel.optional(),
  queue: objectName.optional(),
});
export const timelineSpanSchema = z.object({
  kind: z.enum(['step', 'pause', 'waiting']),
  name: z.string(),
  attempt: z.int().nullable(),
  start: time,
  end: time.nullable().meta({ description: 'null: still open at the end of the range.' }),
});
export const timelineLaneSchema = z.object({
  uid: z.string(),
  namespace: z.string().nullable(),
  name: z.string().nullable(),
  title: z.string().nullable(),
  queue: z.string().nullable(),
  spans: z.array(timelineSpanSchema),
  markers: z.array(z.object({ at: time, type: z.string(), message: z.string().nullable() })),
  cost: z.array(z.object({ at: time, totalUSD: usd })).meta({ description: 'Cost accumulated over time.' }),
});
export type TimelineLane = z.infer<typeof timelineLaneSchema>;
export const timelineSchema = z
  .object({
    from: time,
    to: time,
    lanes: z.array(timelineLaneSchema),
    maxParallel: z.int().meta({ description: 'Most stories in a step at once within the range.' }),
    truncated: z.boolean().meta({ description: 'More events than one answer holds: narrow the range.' }),
  })
  .meta({ id: 'Timeline' });

export const aggregatesQuery = z.object({
  timezone: z.string().max(64).default('UTC').meta({ description: 'IANA time zone whose days the figures follow.' }),
  days: z.coerce.number().int().min(1).max(90).default(30),
});
export const dayFiguresSchema = z.object({
  day: z.iso.date(),
  succeeded: z.int(),
  failed: z.int(),
  aborted: z.int(),
  costUSD: usd,
});
export const aggregatesSchema = z
  .object({
    timezone: z.string(),
    today: z.object({
      day: z.iso.date(),
      succeeded: z.int(),
      failed: z.int(),
      aborted: z.int(),
      running: z.int(),
      waiting: z.int().meta({ description: 'Waiting for a human.' }),
      paused: z.int(),
      queued: z.int(),
      costUSD: usd,
      budget: z.object({
        dailyLimitUSD: usd.nullable().meta({ description: 'Sum of the daily limits of the Budgets seen.' }),
        spentTodayUSD: usd,
        remainingUSD: usd.nullable(),
      }),
      throughputPerHour: z.number().meta({ description: 'Stories finished per hour since midnight.' }),
      finishedLastHour: z.int(),
    }),
    days: z.array(dayFiguresSchema).meta({ description: 'One per day, oldest first, today last.' }),
  })
  .meta({ id: 'Aggregates' });

// ---- the WebSocket -------------------------------------------------------

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
