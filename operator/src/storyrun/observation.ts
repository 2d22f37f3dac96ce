// What the StoryRun reconciler observes about one StoryRun, as plain data:
// the resource, its pods and volume from the informer caches, and its
// records from Postgres. Decisions are pure functions of this.
import type { StoryRun } from '@nightshift/crds';
import type { RunnerMode } from '@nightshift/crds/contract';
import type { Admission } from '../admission/admission.ts';
import type { DecisionRecord } from '../records/decisions.ts';
import type { ExecutionSession } from '../records/sessions.ts';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodView {
  name: string;
  uid: string;
  attempt: number;
  mode: RunnerMode;
  phase: PodPhase;
  terminating: boolean;
  deletionGracePeriodSeconds?: number;
  exitCode?: number;
  /** Why the container is waiting or terminated (ImagePullBackOff, OOMKilled, Error, ...). */
  reason?: string;
  /** The kubelet's detail for that reason (which Secret is missing), or the termination message. */
  message?: string;
  createdAt?: Date;
  finishedAt?: Date;
}

export interface VolumeView {
  name: string;
  phase?: string;
  terminating: boolean;
}

/** Whether the Budgets a paused story drew on have room again for the call they refused. */
export interface BudgetRoom {
  open: boolean;
  message: string;
  /** When a full window's period ends (the story looks again then). */
  reopensAt?: Date;
}

/** What the ledger says about this story: its cost estimate, and for a story paused by a Budget, its room. */
export interface StoryBudgetObservation {
  estimate?: { p50USD: number; p90USD: number };
  room?: BudgetRoom;
}

/**
 * A hold its queue (or budget) placed on the story (story_holds): pause
 * gracefully and stay paused until it is lifted, without spec.paused.
 */
export interface Hold {
  /** A CamelCase word: the Paused condition's reason (ScheduleClosed, BudgetExceeded). */
  reason: string;
  message: string;
}

export interface StoryRunObservation {
  storyRun: StoryRun;
  pods: PodView[];
  volume: VolumeView | undefined;
  /** Every attempt of this story, oldest first. */
  sessions: ExecutionSession[];
  /** The decision the latest attempt waits on, if any. */
  decision: DecisionRecord | undefined;
  admission: Admission;
  /** Absent when no Budget machinery is wired (then a story paused by a Budget waits for a higher cap). */
  budget?: StoryBudgetObservation;
  /** The holds on the story, oldest first; any one holds it. */
  holds?: Hold[];
  now: Date;
}
