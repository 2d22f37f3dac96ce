// What the notifier's integration tests share: the Slack and SMTP stand-ins,
// the Secret files the operator reads them from, an operator configured with
// recipients, and records written the way the operator and the runners write
// them (for tests that need more of them, or older ones, than a story makes).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { startSlackStandIn, type SlackStandIn } from '../../../hack/stand-ins/slack-webhook.ts';
import { startSmtpStandIn, type SmtpStandIn } from '../../../hack/stand-ins/smtp.ts';
import { eventually } from '../../../hack/test/harness.ts';
import { OperatorProcess } from './operator-process.ts';

export const DASHBOARD = 'https://nightshift.test';

export interface NotifyStandIns {
  slack: SlackStandIn;
  smtp: SmtpStandIn;
  /** Writes a secret value to a file, as a mounted Secret key; returns its path. */
  secretFile(name: string, value: string): string;
  close(): Promise<void>;
}

export async function notifyStandIns(): Promise<NotifyStandIns> {
  const slack = await startSlackStandIn();
  const smtp = await startSmtpStandIn();
  const dir = mkdtempSync(join(tmpdir(), 'ns-notify-secrets-'));
  return {
    slack,
    smtp,
    secretFile: (name, value) => {
      const path = join(dir, name);
      writeFileSync(path, `${value}\n`, { mode: 0o600 });
      return path;
    },
    close: async () => {
      await slack.close();
      await smtp.close();
    },
  };
}

/** The notifications config for a Slack recipient (and optionally an email one), fast for tests. */
export function notificationsConfig(
  standIns: NotifyStandIns,
  options: { slack?: Record<string, unknown>; email?: Record<string, unknown>; claimSeconds?: number } = {},
): Record<string, unknown> {
  const recipients: Record<string, unknown>[] = [];
  if (options.slack) {
    recipients.push({
      name: 'team',
      slack: { webhookURLFile: standIns.secretFile('slack-webhook-url', standIns.slack.webhookURL('team')) },
      batchSeconds: 0,
      ...options.slack,
    });
  }
  if (options.email) {
    recipients.push({ name: 'ana', email: { to: 'ana@example.com' }, ...options.email });
  }
  return {
    dashboardURL: DASHBOARD,
    pollSeconds: 0.2,
    claimSeconds: options.claimSeconds ?? 3,
    sendTimeoutSeconds: 15,
    retry: { baseSeconds: 0.2, maxSeconds: 1, giveUpAfterSeconds: 3600 },
    ...(options.email
      ? {
          email: {
            smtpURLFile: standIns.secretFile('smtp-url', standIns.smtp.url),
            caFile: standIns.secretFile('smtp-ca.pem', standIns.smtp.ca),
            from: 'Nightshift <nightshift@example.com>',
            requireTLS: true,
          },
        }
      : {}),
    recipients,
  };
}

export async function startNotifyingOperator(options: {
  kubeconfig: string;
  databaseURL: string;
  namespace: string;
  notifications: Record<string, unknown>;
  identity?: string;
}): Promise<OperatorProcess> {
  return OperatorProcess.startReady({
    kubeconfig: options.kubeconfig,
    databaseURL: options.databaseURL,
    namespace: options.namespace,
    ...(options.identity ? { identity: options.identity } : {}),
    config: { notifications: options.notifications },
  });
}

/** Kinds that story events become, without the summaries: the default for tests that count messages. */
export const STORY_EVENTS = [
  'StoryCompleted',
  'StoryFailed',
  'DecisionNeeded',
  'BudgetThreshold',
  'BudgetExceeded',
  'RepeatedFailures',
  'StoryStuck',
];

export interface FakeStory {
  uid: string;
  sessionId: string;
  namespace: string;
  name: string;
}

/** An attempt's record as the operator writes it before it makes the pod (with the snapshot's title). */
export async function recordAttempt(
  db: pg.Pool,
  story: { namespace: string; name: string; title?: string; queue?: string },
): Promise<FakeStory> {
  const uid = randomUUID();
  const sessionId = randomUUID();
  const snapshot = {
    spec: {
      story: { id: story.name.toUpperCase(), title: story.title ?? story.name },
      ...(story.queue ? { queueRef: story.queue } : {}),
    },
  };
  await db.query(
    `insert into execution_sessions (id, story_uid, namespace, name, story_id, attempt, pod_name, storyrun)
     values ($1, $2, $3, $4, $5, 1, $6, $7)`,
    [
      sessionId,
      uid,
      story.namespace,
      story.name,
      story.name.toUpperCase(),
      `${story.name}-1`,
      JSON.stringify(snapshot),
    ],
  );
  return { uid, sessionId, namespace: story.namespace, name: story.name };
}

/** The runner's question: its decision_queue row and DecisionAsked event. */
export async function recordQuestion(db: pg.Pool, story: FakeStory, id: string, question: string): Promise<void> {
  await db.query(
    `insert into decision_queue (id, story_uid, namespace, name, session_id, kind, step, question, options)
     values ($1, $2, $3, $4, $5, 'Decision', 'plan', $6, '["yes","no"]')`,
    [id, story.uid, story.namespace, story.name, story.sessionId, question],
  );
  const data = { id, kind: 'Decision', step: 'plan', question, context: '', options: ['yes', 'no'] };
  await db.query(
    `insert into execution_events (session_id, story_uid, source, type, step, message, data, idempotency_key)
     values ($1, $2, 'runner', 'DecisionAsked', 'plan', $3, $4, $5)`,
    [story.sessionId, story.uid, question, JSON.stringify(data), `${story.uid}:decision-asked:${id}`],
  );
}

/** The outcome of the attempt and the operator's finishing transition, at a given time. */
export async function recordFinish(
  db: pg.Pool,
  story: FakeStory,
  how: { phase: 'Succeeded'; pullRequestURL: string } | { phase: 'Failed'; reason: string; message?: string },
  at = new Date(),
): Promise<void> {
  const outcome =
    how.phase === 'Succeeded'
      ? { outcome: 'Succeeded', detail: { pullRequest: { url: how.pullRequestURL, number: 1 }, confidence: 0.9 } }
      : { outcome: 'Failed', detail: { reason: how.reason, message: how.message ?? how.reason } };
  await db.query(`update execution_sessions set ended_at = $2, outcome = $3, outcome_detail = $4 where id = $1`, [
    story.sessionId,
    at,
    outcome.outcome,
    JSON.stringify(outcome.detail),
  ]);
  const type = how.phase === 'Succeeded' ? 'Succeeded' : how.reason;
  await db.query(
    `insert into execution_events (story_uid, occurred_at, source, type, message, data, idempotency_key)
     values ($1, $2, 'operator', $3, $4, $5, $6)`,
    [
      story.uid,
      at,
      type,
      how.phase === 'Succeeded' ? `Draft pull request ${how.pullRequestURL}` : (how.message ?? how.reason),
      JSON.stringify({ phase: how.phase, attempt: 1, generation: 1, completes: true }),
      `operator:${story.uid}:g1:a1:${type}`,
    ],
  );
}

/** The operator's PodStalled transition. */
export async function recordStalled(db: pg.Pool, story: FakeStory, reason: string): Promise<void> {
  await db.query(
    `insert into execution_events (story_uid, source, type, message, data, idempotency_key)
     values ($1, 'operator', 'PodStalled', $2, '{"phase":"Admitted","attempt":1}', $3)`,
    [
      story.uid,
      `pod ${story.name}-1 cannot start: secret "x" not found (${reason})`,
      `operator:${story.uid}:g1:a1:PodStalled`,
    ],
  );
}

export async function deliveries(
  db: pg.Pool,
): Promise<{ id: string; state: string; kind: string; attempts: number; last_error: string | null }[]> {
  return (await db.query('select id::text, state, kind, attempts, last_error from notification_deliveries order by id'))
    .rows;
}

/** Waits until the outbox has no delivery left to send (pending, claimed or sending). */
export async function settled(db: pg.Pool, what = 'every delivery to settle', timeoutMs = 60_000): Promise<void> {
  await eventually(
    what,
    async () => {
      const rows = await deliveries(db);
      const open = await db.query(`select 1 from notification_outbox where state = 'pending'`);
      return (
        rows.length > 0 &&
        open.rowCount === 0 &&
        rows.every((r) => !['pending', 'claimed', 'sending'].includes(r.state))
      );
    },
    { timeoutMs, intervalMs: 200 },
  );
}
