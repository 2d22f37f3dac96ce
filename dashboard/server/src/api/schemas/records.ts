// Records as the API shows them: decisions, the PR review queue, the audit,
// the operator's runs, and the caller's token.
import { z } from 'zod';
import { storyRunPhaseSchema } from '@nightshift/crds';
import { AUDIT_OUTCOMES, DECISION_KINDS, REVIEW_STATES, TOKEN_SCOPES } from '@nightshift/crds/contract';
import { dnsLabel, objectName, page, pageQuery, time, usd } from './common.ts';

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
