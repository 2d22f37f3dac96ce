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
  /** The holds on the story, oldest first; any one holds it. */
  holds?: Hold[];
  now: Date;
}
