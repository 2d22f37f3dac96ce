// Whether a story pod is stuck: Pending for a reason that will not fix itself
// without a person (a missing Secret, an image that cannot be pulled). Slow
// reasons (ContainerCreating, a pull in progress) are not stuck. A stuck pod
// is not a crash: the story waits, saying why, and fails once the pending
// timeout passes. Pure; the health monitor asks the same question.
import type { PodView } from './observation.ts';

/** Waiting reasons that will not fix themselves; everything else is just slow. */
export const STUCK_REASONS: ReadonlySet<string> = new Set([
  'CreateContainerConfigError',
  'CreateContainerError',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
]);

export interface Stuck {
  /** The kubelet's reason, a CamelCase word (CreateContainerConfigError, ...). */
  reason: string;
  /** What a person must fix, e.g. `secret "gh" not found`. */
  message: string;
  /** How long the pod has been pending. */
  pendingSeconds: number;
  /** true once it has been pending for the whole timeout: the story fails. */
  timedOut: boolean;
  /** When the timeout passes (for a requeue). */
  failsAt: Date;
}

export function isStuck(pod: PodView | undefined, now: Date, pendingTimeoutSeconds: number): Stuck | undefined {
  if (!pod || pod.phase !== 'Pending' || pod.terminating || !pod.reason || !STUCK_REASONS.has(pod.reason)) {
    return undefined;
  }
  const since = pod.createdAt ?? now;
  const pendingSeconds = Math.max(0, (now.getTime() - since.getTime()) / 1000);
  return {
    reason: pod.reason,
    message: pod.message ?? pod.reason,
    pendingSeconds,
    timedOut: pendingSeconds >= pendingTimeoutSeconds,
    failsAt: new Date(since.getTime() + pendingTimeoutSeconds * 1000),
  };
}
