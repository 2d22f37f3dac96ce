// What the StoryRun reconciler observes about one StoryRun, as plain data:
// the resource, its pods and volume from the informer caches, and its
// records from Postgres. Decisions are pure functions of this.
import type { StoryRun } from '@nightshift/crds';

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';

export interface PodView {
  name: string;
  uid: string;
  attempt: number;
  mode: 'run' | 'salvage';
  phase: PodPhase;
  terminating: boolean;
  deletionGracePeriodSeconds?: number;
  exitCode?: number;
  /** Why the container is waiting or terminated (ImagePullBackOff, OOMKilled, Error, ...). */
  reason?: string;
  /** The kubelet's detail for that reason (e.g. which Secret is missing). */
  message?: string;
  createdAt?: Date;
  finishedAt?: Date;
}

export interface VolumeView {
  name: string;
  phase?: string;
  terminating: boolean;
}

export type SessionOutcome = 'Succeeded' | 'Failed' | 'WaitingForHuman' | 'Paused' | 'Salvaged' | 'Crashed';

export interface SessionView {
  id: string;
  attempt: number;
  mode: 'run' | 'salvage';
  podName: string;
  podUid: string | null;
  step: string | null;
  costUSD: number;
  maxCostUSD: number | null;
  createdAt: Date;
  heartbeatAt: Date | null;
  endedAt: Date | null;
  outcome: SessionOutcome | null;
  outcomeDetail: Record<string, unknown> | null;
}

export interface DecisionView {
  id: string;
  kind: 'Decision' | 'ConfidenceGate';
  step: string | null;
  question: string;
  context: string;
  options: string[];
  recommendation: string | null;
  askedAt: Date;
  answeredAt: Date | null;
  choice: string | null;
}

export interface AdmissionView {
  admitted: boolean;
  reason: string;
  message: string;
}

export interface StoryRunObservation {
  storyRun: StoryRun;
  pods: PodView[];
  volume: VolumeView | undefined;
  /** Every attempt of this story, oldest first. */
  sessions: SessionView[];
  /** The decision the latest attempt waits on, if any. */
  decision: DecisionView | undefined;
  admission: AdmissionView;
  now: Date;
}
