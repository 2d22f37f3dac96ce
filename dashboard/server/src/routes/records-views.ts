// Records (decision_queue, pr_review_queue, dashboard_audit, daemon_runs) as the API shows them.
import type { StoryRun } from '@nightshift/crds';
import type { DaemonRunRow, DashboardAuditRow, DecisionRecord, PullRequestReviewRow } from '@nightshift/crds/contract';
import type { z } from 'zod';
import type { auditEntrySchema, DecisionView, operatorRunSchema, reviewViewSchema } from '../api/schemas.ts';

export function decisionViewOf(d: DecisionRecord, story: StoryRun | undefined): DecisionView {
  const answered = story?.spec.decisions.find((a) => a.id === d.id);
  return {
    id: d.id,
    namespace: d.namespace,
    name: d.name,
    storyUid: d.storyUid,
    kind: d.kind,
    step: d.step,
    question: d.question,
    context: d.context,
    options: d.options,
    recommendation: d.recommendation,
    askedAt: d.askedAt.toISOString(),
    answeredAt: d.answeredAt?.toISOString() ?? null,
    choice: d.choice ?? answered?.choice ?? null,
    comment: d.comment ?? answered?.comment ?? null,
    answeredBy: d.answeredBy,
    pending: d.answeredAt === null && answered === undefined,
    resourceVersion: story?.metadata.resourceVersion ?? null,
    storyPhase: story?.status?.phase ?? null,
    storyTitle: story?.spec.story.title ?? null,
  };
}

export function reviewViewOf(r: PullRequestReviewRow, storyTitle: string | null): z.infer<typeof reviewViewSchema> {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    storyUid: r.story_uid,
    repository: r.repository,
    number: r.number,
    url: r.url,
    headBranch: r.head_branch,
    baseBranch: r.base_branch,
    draft: r.draft,
    confidence: r.confidence,
    costUSD: r.cost_usd,
    createdAt: r.created_at.toISOString(),
    reviewState: r.review_state,
    storyTitle,
  };
}

export function auditEntryOf(r: DashboardAuditRow): z.infer<typeof auditEntrySchema> {
  return {
    id: r.id,
    at: r.at.toISOString(),
    tokenName: r.token_name,
    action: r.action,
    kind: r.kind,
    namespace: r.namespace,
    name: r.name,
    request: r.request ?? null,
    before: r.before ?? null,
    after: r.after ?? null,
    outcome: r.outcome,
    status: r.status,
    error: r.error,
  };
}

export function operatorRunOf(r: DaemonRunRow): z.infer<typeof operatorRunSchema> {
  return {
    id: r.id,
    identity: r.identity,
    hostname: r.hostname,
    version: r.version,
    status: r.status,
    startedAt: r.started_at.toISOString(),
    lastSeenAt: r.last_seen_at.toISOString(),
    stoppedAt: r.stopped_at?.toISOString() ?? null,
    stopReason: r.stop_reason,
  };
}
