// The plan being built for one reconcile: what every phase of the lifecycle
// starts from (the attempts with unrecorded ends folded in, the current pod,
// the failures so far, the status carried over) and the few moves they make
// (set the phase, finish, start an attempt, stop the pod). The phase modules
// (phases/*.ts) decide which moves; planStoryRun picks the phase.
import { branchFor, type OperatorRecordedOutcome, type RunnerMode } from '@nightshift/crds/contract';
import type { StoryRunPhase, StoryRunStatus } from '@nightshift/crds';
import type { ExecutionSession } from '../records/sessions.ts';
import { isLive, unrecordedEnd } from './attempt-end.ts';
import { podNameFor, volumeNameFor } from './resources.ts';
import type { Hold, PodView, StoryRunObservation } from './observation.ts';

export interface LifecyclePolicy {
  gracefulStopSeconds: number;
  immediateStopSeconds: number;
  abortStopSeconds: number;
  backoffBaseSeconds: number;
  backoffMaxSeconds: number;
  podRetentionSeconds: number;
  volumeRetentionSeconds: number;
  /** A pod stuck Pending for a reason that will not fix itself (a missing Secret, an image that cannot be pulled) fails the story after this long. */
  pendingTimeoutSeconds: number;
  /** false when the worktree is an emptyDir: nothing survives the pod. */
  persistentVolume: boolean;
  /** A running step older than this, with the runner alive, is shown as Slow; unset: never. */
  slowAfterSeconds?: number;
}

export type Action =
  | { type: 'EnsureVolume' }
  | { type: 'DeleteVolume' }
  | { type: 'StartAttempt'; attempt: number; mode: RunnerMode }
  | { type: 'StopPod'; podName: string; graceSeconds: number; why: string }
  | { type: 'DeletePod'; podName: string }
  | {
      /** The attempt ended without its runner recording an outcome: Crashed, or Paused when we stopped it. */
      type: 'RecordEnd';
      sessionId: string;
      attempt: number;
      podName: string;
      podUid: string | null;
      end: OperatorRecordedOutcome;
    }
  | { type: 'AnswerDecision'; decisionId: string; choice: string; comment?: string };

/** A transition worth an execution_events row and (unless event is false) a Kubernetes Event. */
export interface Transition {
  reason: string;
  message: string;
  warning?: boolean;
  /** false: recorded only, because another transition of the same reconcile already says it in an Event (one API write fewer). */
  event?: false;
  /** This transition finished the story (Succeeded, Failed or Aborted). */
  completes?: boolean;
}

/** Why the story is paused, complete or stalled, for its Conditions. */
export interface PlanReasons {
  /** PausedByUser, BudgetExceeded (the story's cap), or the reason of a hold (ScheduleClosed, ...). */
  paused?: string;
  complete?: string;
  stalled?: { reason: string; message: string };
  /** The runner is alive but its step has run for longer than slowAfterSeconds. */
  slow?: string;
}

export interface Plan {
  status: StoryRunStatus;
  reasons: PlanReasons;
  actions: Action[];
  transitions: Transition[];
  requeueAfterMs?: number;
}

/** The message while an attempt's pod starts; the same before and after the pod is cached, so no second status write. */
export const waitingForPod = (podName: string) => `Waiting for pod ${podName} to start`;

export class PlanDraft {
  readonly o: StoryRunObservation;
  readonly policy: LifecyclePolicy;
  readonly now: Date;
  readonly previous: StoryRunStatus;
  /** Attempts, oldest first, with ends this plan records already folded in. */
  readonly sessions: ExecutionSession[];
  readonly latest: ExecutionSession | undefined;
  /** The highest attempt number seen in records or pods. */
  readonly attempt: number;
  /** The live pod of the latest attempt. */
  readonly current: PodView | undefined;
  /** Crashed run attempts: what backoffLimit counts. */
  readonly failures: number;
  readonly status: StoryRunStatus;
  /** The hold that pauses the story (its queue's or budget's), if any. */
  readonly hold: Hold | undefined;
  readonly actions: Action[] = [];
  readonly transitions: Transition[] = [];
  readonly reasons: PlanReasons = {};
  private requeueAfterMs: number | undefined;

  constructor(o: StoryRunObservation, policy: LifecyclePolicy) {
    this.o = o;
    this.policy = policy;
    this.now = o.now;
    const { spec } = o.storyRun;
    this.previous = o.storyRun.status ?? {};

    // A pod we stopped for a pause or an abort did not crash: it does not count
    // against backoffLimit and resumes without backoff.
    this.hold = o.holds?.[0];
    const stopping = spec.paused || spec.abort.requested || this.hold !== undefined;
    this.sessions = o.sessions.map((s) => {
      const ended = unrecordedEnd(s, o.pods);
      if (!ended) return s;
      const end: OperatorRecordedOutcome = stopping
        ? {
            outcome: 'Paused',
            detail: { ...ended, reason: 'Stopped', cause: ended.reason },
          }
        : { outcome: 'Crashed', detail: ended };
      this.actions.push({
        type: 'RecordEnd',
        sessionId: s.id,
        attempt: s.attempt,
        podName: s.podName,
        podUid: s.podUid,
        end,
      });
      return { ...s, endedAt: this.now, result: end };
    });
    this.latest = this.sessions.at(-1);
    const latestRun = this.sessions.filter((s) => s.mode === 'run').at(-1);
    this.attempt = Math.max(this.latest?.attempt ?? 0, ...o.pods.map((p) => p.attempt));
    this.current = o.pods.find((p) => p.attempt === this.attempt && isLive(p));
    this.failures = this.sessions.filter((s) => s.result?.outcome === 'Crashed' && s.mode === 'run').length;
    const costUSD = Math.max(0, ...this.sessions.map((s) => s.costUSD));

    this.status = {
      ...this.previous,
      attempt: this.attempt,
      failures: this.failures,
      costUSD: Math.round(costUSD * 1e6) / 1e6,
      step: latestRun?.step ?? this.previous.step,
      podName: this.current?.name ?? this.latest?.podName ?? this.previous.podName,
      workVolume: policy.persistentVolume ? (o.volume?.name ?? this.previous.workVolume) : undefined,
      branch: branchFor(spec.story.id),
      observedGeneration: o.storyRun.metadata.generation,
    };
    delete this.status.pendingDecision;
    delete this.status.retryAfter;
    const estimate = o.budget?.estimate;
    if (estimate) {
      this.status.estimateUSD = estimate.p50USD;
      this.status.estimateP90USD = estimate.p90USD;
    }
    delete this.status.queuePosition;
    const startedAt = this.sessions[0]?.createdAt;
    if (startedAt && !this.status.startedAt) this.status.startedAt = startedAt.toISOString();
  }

  get spec() {
    return this.o.storyRun.spec;
  }

  /** Look again within ms even without an event (the earliest of all such asks wins). */
  requeueIn(ms: number): void {
    this.requeueAfterMs = Math.max(0, Math.min(this.requeueAfterMs ?? Infinity, ms));
  }

  next(phase: StoryRunPhase, message: string): void {
    this.status.phase = phase;
    this.status.message = message;
  }

  /** The story is done: phase, completion time, the Complete reason and its transition. */
  finish(phase: StoryRunPhase, message: string, { warning = false, reason = phase as string } = {}): void {
    this.next(phase, message);
    this.status.completedAt ??= this.now.toISOString();
    this.reasons.complete = reason;
    this.transitions.push({ reason, message, warning, completes: true });
  }

  transition(reason: string, message: string, warning = false, { event = true } = {}): void {
    this.transitions.push({ reason, message, ...(warning ? { warning } : {}), ...(event ? {} : { event: false }) });
  }

  /**
   * A new attempt: its volume when missing, old finished pods cleared, the
   * pod started — and the status says so as it will stay until the pod runs
   * (pod name, volume, start time), so the next reconcile writes nothing.
   */
  startAttempt(mode: RunnerMode, why: string, { event = true } = {}): void {
    const attempt = this.attempt + 1;
    const name = this.o.storyRun.metadata.name;
    if (this.policy.persistentVolume && !this.o.volume) this.actions.push({ type: 'EnsureVolume' });
    for (const old of this.o.pods) if (!isLive(old)) this.actions.push({ type: 'DeletePod', podName: old.name });
    this.actions.push({ type: 'StartAttempt', attempt, mode });
    this.status.attempt = attempt;
    this.status.podName = podNameFor(name, attempt, mode);
    if (this.policy.persistentVolume) this.status.workVolume ??= volumeNameFor(name);
    this.status.startedAt ??= this.now.toISOString();
    this.transition(mode === 'salvage' ? 'SavingWork' : this.attempt === 0 ? 'Started' : 'Resumed', why, false, {
      event,
    });
  }

  /** Stops the current pod with this grace, unless it is already stopping with no more than that. */
  stopCurrent(graceSeconds: number, why: string): void {
    const current = this.current;
    if (!current) return;
    const alreadyStopping = current.terminating && (current.deletionGracePeriodSeconds ?? Infinity) <= graceSeconds;
    if (!alreadyStopping) this.actions.push({ type: 'StopPod', podName: current.name, graceSeconds, why });
    this.requeueIn(30_000); // pod events wake us; this is only a safety net
  }

  plan(): Plan {
    return {
      status: this.status,
      reasons: this.reasons,
      actions: this.actions,
      transitions: this.transitions,
      ...(this.requeueAfterMs === undefined ? {} : { requeueAfterMs: this.requeueAfterMs }),
    };
  }
}
