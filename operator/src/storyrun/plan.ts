// The StoryRun lifecycle as one pure function: from what is observed, the
// status the StoryRun should have and the next changes to make. The
// reconciler applies them; everything here is unit-tested without a cluster.
import { TERMINAL_PHASES, type PendingDecision, type StoryRunPhase, type StoryRunStatus } from '@nightshift/crds';
import { backoffDelay } from '../kube/backoff.ts';
import type { PodView, SessionOutcome, SessionView, StoryRunObservation } from './observation.ts';

export interface LifecyclePolicy {
  gracefulStopSeconds: number;
  immediateStopSeconds: number;
  abortStopSeconds: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  podRetentionSeconds: number;
  volumeRetentionSeconds: number;
  /** A pod stuck Pending for a reason that will not fix itself (a missing Secret, an image that cannot be pulled) fails after this long. */
  pendingTimeoutSeconds: number;
  /** false when the worktree is an emptyDir: nothing survives the pod. */
  persistentVolume: boolean;
}

export type Action =
  | { type: 'EnsureVolume' }
  | { type: 'DeleteVolume' }
  | { type: 'StartAttempt'; attempt: number; mode: 'run' | 'salvage' }
  | { type: 'StopPod'; podName: string; graceSeconds: number; why: string }
  | { type: 'DeletePod'; podName: string }
  | {
      /** The attempt ended without its runner recording an outcome: Crashed, or Paused when we stopped it. */
      type: 'RecordEnd';
      sessionId: string;
      attempt: number;
      podName: string;
      podUid: string | null;
      outcome: Extract<SessionOutcome, 'Crashed' | 'Paused'>;
      detail: Record<string, unknown>;
    }
  | { type: 'AnswerDecision'; decisionId: string; choice: string; comment?: string };

/** A transition worth an Event (and an execution_events row). */
export interface Transition {
  reason: string;
  message: string;
  warning?: boolean;
}

export interface Plan {
  status: StoryRunStatus;
  /** Why the story is paused or complete, for its Conditions. */
  reasons: { paused?: 'PausedByUser' | 'BudgetExceeded'; complete?: string };
  actions: Action[];
  transitions: Transition[];
  requeueAfterMs?: number;
}

/** Crash backoff in seconds: base · 2^(failures-1), capped. */
export function retryDelaySeconds(failures: number, policy: LifecyclePolicy): number {
  return (
    backoffDelay(failures, { baseMs: policy.backoffBaseSeconds * 1000, maxMs: policy.backoffMaxSeconds * 1000 }) / 1000
  );
}

export const isLive = (pod: PodView) => pod.phase === 'Pending' || pod.phase === 'Running' || pod.phase === 'Unknown';

/** Waiting reasons that will not fix themselves; everything else (ContainerCreating, ...) is just slow. */
const STUCK_REASONS = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
]);

/** A CamelCase reason a Condition accepts, or the fallback. */
const conditionReason = (value: unknown, fallback: string) =>
  typeof value === 'string' && /^[A-Z][A-Za-z0-9]*$/.test(value) ? value : fallback;

/** How an attempt whose runner recorded no outcome ended: its pod finished or vanished. */
function endOf(session: SessionView, pods: PodView[]): Record<string, unknown> | undefined {
  if (session.endedAt || !session.podUid) return undefined;
  const pod = pods.find((p) => p.attempt === session.attempt && p.mode === session.mode);
  if (!pod || pod.uid !== session.podUid)
    return { reason: 'PodMissing', message: `pod ${session.podName} disappeared` };
  if (isLive(pod)) return undefined;
  return {
    reason: pod.reason ?? (pod.phase === 'Succeeded' ? 'NoOutcome' : 'Error'),
    exitCode: pod.exitCode,
    message:
      pod.phase === 'Succeeded'
        ? `pod ${pod.name} exited 0 without recording an outcome`
        : `pod ${pod.name} failed (${pod.reason ?? 'Error'}, exit code ${pod.exitCode ?? 'unknown'})`,
  };
}

export function planStoryRun(o: StoryRunObservation, policy: LifecyclePolicy): Plan {
  const { storyRun, pods, now } = o;
  const spec = storyRun.spec;
  const previous = storyRun.status ?? {};
  const actions: Action[] = [];
  const transitions: Transition[] = [];
  const reasons: Plan['reasons'] = {};
  let requeueAfterMs: number | undefined;
  const requeueIn = (ms: number) => {
    requeueAfterMs = Math.max(0, Math.min(requeueAfterMs ?? Infinity, ms));
  };

  // Sessions with unrecorded ends folded in, as they will be once recorded. A
  // pod we stopped for a pause or an abort did not crash: it does not count
  // against backoffLimit and resumes without backoff.
  const stopping = spec.paused || spec.abort.requested;
  const sessions = o.sessions.map((s) => {
    const ended = endOf(s, pods);
    if (!ended) return s;
    const outcome = stopping ? ('Paused' as const) : ('Crashed' as const);
    const detail = stopping ? { ...ended, reason: 'Stopped', cause: ended.reason } : ended;
    actions.push({
      type: 'RecordEnd',
      sessionId: s.id,
      attempt: s.attempt,
      podName: s.podName,
      podUid: s.podUid,
      outcome,
      detail,
    });
    return { ...s, endedAt: now, outcome, outcomeDetail: detail };
  });
  const latest = sessions.at(-1);
  const latestRun = sessions.filter((s) => s.mode === 'run').at(-1);
  const attempt = Math.max(latest?.attempt ?? 0, ...pods.map((p) => p.attempt));
  const current = pods.find((p) => p.attempt === attempt && isLive(p));
  const failures = sessions.filter((s) => s.outcome === 'Crashed' && s.mode === 'run').length;
  const costUSD = Math.max(0, ...sessions.map((s) => s.costUSD));

  const status: StoryRunStatus = {
    ...previous,
    attempt,
    failures,
    costUSD: Math.round(costUSD * 1e6) / 1e6,
    step: latestRun?.step ?? previous.step,
    podName: current?.name ?? latest?.podName ?? previous.podName,
    workVolume: policy.persistentVolume ? (o.volume?.name ?? previous.workVolume) : undefined,
    branch: `nightshift/${spec.story.id}`,
    observedGeneration: storyRun.metadata.generation,
  };
  delete status.pendingDecision;
  delete status.retryAfter;
  const startedAt = sessions[0]?.createdAt;
  if (startedAt && !status.startedAt) status.startedAt = startedAt.toISOString();

  const next = (phase: StoryRunPhase, message: string) => {
    status.phase = phase;
    status.message = message;
  };
  const finish = (phase: StoryRunPhase, message: string, warning = false, reason: string = phase) => {
    next(phase, message);
    status.completedAt ??= now.toISOString();
    reasons.complete = reason;
    transitions.push({ reason, message, warning });
  };
  const startAttempt = (mode: 'run' | 'salvage', why: string) => {
    if (policy.persistentVolume && !o.volume) actions.push({ type: 'EnsureVolume' });
    for (const old of pods) if (!isLive(old)) actions.push({ type: 'DeletePod', podName: old.name });
    actions.push({ type: 'StartAttempt', attempt: attempt + 1, mode });
    status.attempt = attempt + 1;
    transitions.push({
      reason: mode === 'salvage' ? 'SavingWork' : attempt === 0 ? 'Started' : 'Resumed',
      message: why,
    });
  };
  const stopCurrent = (graceSeconds: number, why: string) => {
    if (!current) return;
    const alreadyStopping = current.terminating && (current.deletionGracePeriodSeconds ?? Infinity) <= graceSeconds;
    if (!alreadyStopping) actions.push({ type: 'StopPod', podName: current.name, graceSeconds, why });
    requeueIn(30_000); // pod events wake us; this is only a safety net
  };

  // Finished: only clean-up remains.
  if (previous.phase && TERMINAL_PHASES.includes(previous.phase)) {
    reasons.complete =
      previous.conditions?.find((c) => c.type === 'Complete' && c.status === 'True')?.reason ?? previous.phase;
    const completedAt = new Date(previous.completedAt ?? now);
    const age = (now.getTime() - completedAt.getTime()) / 1000;
    for (const pod of pods) {
      if (isLive(pod)) {
        if (!pod.terminating) {
          actions.push({
            type: 'StopPod',
            podName: pod.name,
            graceSeconds: policy.abortStopSeconds,
            why: 'story finished',
          });
        }
      } else if (age >= policy.podRetentionSeconds) actions.push({ type: 'DeletePod', podName: pod.name });
      else requeueIn((policy.podRetentionSeconds - age) * 1000);
    }
    if (o.volume && !o.volume.terminating && !pods.some(isLive)) {
      if (age >= policy.volumeRetentionSeconds) actions.push({ type: 'DeleteVolume' });
      else requeueIn((policy.volumeRetentionSeconds - age) * 1000);
    }
    return { status: { ...status, phase: previous.phase }, reasons, actions, transitions, requeueAfterMs };
  }

  // Abort: stop the pod, keep the work if asked (a salvage pod pushes the branch), finish.
  if (spec.abort.requested) {
    if (current && current.mode === 'run') {
      stopCurrent(policy.abortStopSeconds, 'abort requested');
      next(previous.phase ?? 'Queued', 'Aborting: stopping the story pod');
    } else if (spec.abort.keepWork && policy.persistentVolume && o.volume && attempt > 0) {
      const salvage = sessions.find((s) => s.mode === 'salvage');
      if (!salvage) {
        startAttempt('salvage', 'abort with keepWork: pushing the work in progress');
        next(previous.phase ?? 'Running', 'Aborting: saving the work in progress');
      } else if (!salvage.endedAt) {
        next(previous.phase ?? 'Running', 'Aborting: saving the work in progress');
        requeueIn(30_000); // pod events wake us; this is only a safety net
      } else if (salvage.outcome === 'Salvaged') {
        finish(
          'Aborted',
          `Aborted; work in progress kept on branch ${String(salvage.outcomeDetail?.branch ?? status.branch)}`,
        );
      } else {
        finish(
          'Aborted',
          `Aborted; saving the work in progress failed: ${String(salvage.outcomeDetail?.message ?? 'unknown error')}`,
          true,
        );
      }
    } else {
      if (o.volume && !o.volume.terminating) actions.push({ type: 'DeleteVolume' });
      finish(
        'Aborted',
        spec.abort.keepWork && attempt === 0 ? 'Aborted before any work started' : 'Aborted; work discarded',
      );
    }
    return { status, reasons, actions, transitions, requeueAfterMs };
  }

  // Pause: stop the pod (gracefully: the step in flight finishes and checkpoints).
  if (spec.paused) {
    if (current) {
      const grace = spec.pauseMode === 'Immediate' ? policy.immediateStopSeconds : policy.gracefulStopSeconds;
      stopCurrent(grace, `${spec.pauseMode.toLowerCase()} pause requested`);
      if (previous.phase !== 'Pausing')
        transitions.push({ reason: 'Pausing', message: `${spec.pauseMode} pause requested` });
      next(
        'Pausing',
        spec.pauseMode === 'Graceful' ? 'Pausing: letting the current step finish' : 'Pausing: stopping the pod now',
      );
    } else {
      if (previous.phase !== 'Paused') transitions.push({ reason: 'Paused', message: 'Paused by spec.paused' });
      reasons.paused = 'PausedByUser';
      next('Paused', 'Paused; set spec.paused to false to resume');
    }
    return { status, reasons, actions, transitions, requeueAfterMs };
  }

  // Not started yet: admission decides (queue, budget, schedule plug in there).
  if (attempt === 0) {
    if (!o.admission.admitted) {
      if (previous.phase !== 'Queued') transitions.push({ reason: 'Queued', message: o.admission.message });
      next('Queued', o.admission.message);
      return { status, reasons, actions, transitions, requeueAfterMs };
    }
    transitions.push({ reason: 'Admitted', message: o.admission.message });
    startAttempt('run', 'admitted');
    next('Admitted', 'Admitted; starting the story pod');
    return { status, reasons, actions, transitions, requeueAfterMs };
  }

  // An attempt in flight.
  if (latest && !latest.endedAt) {
    if (!latest.podUid) {
      // The record exists but the pod was never made or never recorded (a crash
      // between the writes): starting the attempt again creates or adopts it.
      actions.push({ type: 'StartAttempt', attempt: latest.attempt, mode: latest.mode });
    }
    const pendingFor = current?.createdAt ? (now.getTime() - current.createdAt.getTime()) / 1000 : 0;
    if (current?.phase === 'Pending' && current.reason && STUCK_REASONS.has(current.reason) && !current.terminating) {
      if (pendingFor >= policy.pendingTimeoutSeconds) {
        // A missing Secret or an image that cannot be pulled does not fix itself: fail
        // the attempt (retried up to backoffLimit) rather than sit in Admitted forever.
        const detail = {
          reason: current.reason,
          message: `pod ${current.name} stuck in ${current.reason} for ${Math.round(pendingFor)} s${current.message ? `: ${current.message}` : ''}`,
        };
        actions.push({ type: 'StopPod', podName: current.name, graceSeconds: 0, why: current.reason });
        actions.push({
          type: 'RecordEnd',
          sessionId: latest.id,
          attempt: latest.attempt,
          podName: latest.podName,
          podUid: latest.podUid,
          outcome: 'Crashed',
          detail,
        });
        transitions.push({ reason: 'PodStuck', message: detail.message, warning: true });
        requeueIn(1_000);
      } else {
        requeueIn((policy.pendingTimeoutSeconds - pendingFor) * 1000);
      }
    }
    if (current?.phase === 'Running') {
      if (previous.phase !== 'Running')
        transitions.push({ reason: 'Running', message: `pod ${current.name} is running` });
      next('Running', latest.step ? `Working on ${latest.step}` : 'Running');
    } else {
      next(
        previous.phase === 'Running' ? 'Running' : 'Admitted',
        current?.reason
          ? `Pod pending: ${current.reason}${current.message ? ` (${current.message})` : ''}`
          : 'Pod pending',
      );
    }
    return { status, reasons, actions, transitions, requeueAfterMs };
  }

  // The latest attempt ended: act on its outcome.
  const detail = latest?.outcomeDetail ?? {};
  switch (latest?.outcome) {
    case 'Succeeded': {
      const pr = detail.pullRequest as { url: string; number: number } | undefined;
      if (pr) status.pullRequest = { url: pr.url, number: pr.number };
      if (typeof detail.confidence === 'number') status.confidence = detail.confidence;
      finish('Succeeded', pr ? `Draft pull request ${pr.url}` : 'Succeeded');
      break;
    }
    case 'Failed':
      finish(
        'Failed',
        String(detail.message ?? detail.reason ?? 'the story failed'),
        true,
        conditionReason(detail.reason, 'Failed'),
      );
      break;
    case 'WaitingForHuman': {
      const decision = o.decision;
      const answer = decision && spec.decisions.find((d) => d.id === decision.id);
      if (decision && answer) {
        if (!decision.answeredAt) {
          actions.push({
            type: 'AnswerDecision',
            decisionId: decision.id,
            choice: answer.choice,
            comment: answer.comment,
          });
          transitions.push({ reason: 'DecisionAnswered', message: `${decision.id}: ${answer.choice}` });
        }
        startAttempt('run', `resuming with the answer to ${decision.id}`);
        next('Running', `Resuming with the answer to ${decision.id}`);
      } else {
        if (decision) status.pendingDecision = pendingDecisionOf(decision);
        if (previous.phase !== 'WaitingForHuman') {
          transitions.push({
            reason: 'WaitingForHuman',
            message: decision?.question ?? 'waiting for a human decision',
          });
        }
        next(
          'WaitingForHuman',
          decision ? `Waiting for a decision: ${decision.question}` : 'Waiting for a human decision',
        );
      }
      break;
    }
    case 'Paused': {
      if (detail.reason === 'BudgetExceeded') {
        // Only a higher cap than the attempt ran with helps; without a cap the
        // refusal was something else (an unpriced model), which a retry repeats.
        const raised =
          latest.maxCostUSD !== null && (spec.maxCostUSD === undefined || spec.maxCostUSD > latest.maxCostUSD);
        if (raised) {
          startAttempt('run', `cost cap raised to ${spec.maxCostUSD ?? 'unlimited'}`);
          next('Running', 'Resuming after the cost cap was raised');
        } else {
          if (previous.phase !== 'Paused') {
            transitions.push({
              reason: 'BudgetExceeded',
              message: String(detail.message ?? 'cost cap reached'),
              warning: true,
            });
          }
          reasons.paused = 'BudgetExceeded';
          next(
            'Paused',
            `${String(detail.message ?? 'The cost cap would be exceeded')}; raise spec.maxCostUSD to resume`,
          );
        }
      } else {
        startAttempt('run', 'resuming from the last checkpoint');
        next('Running', 'Resuming from the last checkpoint');
      }
      break;
    }
    case 'Crashed': {
      if (failures > spec.backoffLimit) {
        finish(
          'Failed',
          `BackoffLimitExceeded: ${failures} failed pods (last: ${String(detail.message ?? 'unknown')})`,
          true,
          'BackoffLimitExceeded',
        );
        break;
      }
      const retryAt = new Date(latest.endedAt!.getTime() + retryDelaySeconds(failures, policy) * 1000);
      if (retryAt <= now) {
        startAttempt(
          'run',
          `retry ${failures} of ${spec.backoffLimit} after: ${String(detail.message ?? 'a failed pod')}`,
        );
        next('Running', `Retrying (${failures} of ${spec.backoffLimit}) from the last checkpoint`);
      } else {
        status.retryAfter = retryAt.toISOString();
        if (actions.some((a) => a.type === 'RecordEnd' && a.outcome === 'Crashed')) {
          transitions.push({ reason: 'PodFailed', message: String(detail.message), warning: true });
        }
        next(
          'Running',
          `Pod failed (${String(detail.reason ?? 'Error')}); retry ${failures} of ${spec.backoffLimit} at ${retryAt.toISOString()}`,
        );
        requeueIn(retryAt.getTime() - now.getTime());
      }
      break;
    }
    default:
      // A salvage without an abort cannot happen (abort cannot be withdrawn); resume.
      startAttempt('run', 'resuming');
      next('Running', 'Resuming');
  }
  return { status, reasons, actions, transitions, requeueAfterMs };
}

function pendingDecisionOf(d: NonNullable<StoryRunObservation['decision']>): PendingDecision {
  return {
    id: d.id,
    kind: d.kind,
    ...(d.step ? { step: d.step } : {}),
    question: d.question,
    context: d.context.length > 8000 ? `${d.context.slice(0, 8000)}\n… (full context in decision_queue)` : d.context,
    options: d.options,
    ...(d.recommendation ? { recommendation: d.recommendation } : {}),
    askedAt: d.askedAt.toISOString(),
  };
}
