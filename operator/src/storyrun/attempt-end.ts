// How an attempt ended when its runner recorded no outcome: its pod finished
// or vanished. The cause a person needs (fatal: repository not found) comes
// from the runner's recorded error, else from the container's termination
// message (the runner's JSON summary, or the log tail Kubernetes keeps with
// FallbackToLogsOnError). Pure.
import { terminationError, type OutcomeOf } from '@nightshift/crds/contract';
import type { ExecutionSession } from '../records/sessions.ts';
import type { PodView } from './observation.ts';

export type CrashDetail = OutcomeOf<'Crashed'>['detail'];

export const isLive = (pod: PodView) => pod.phase === 'Pending' || pod.phase === 'Running' || pod.phase === 'Unknown';

const MAX_CAUSE = 1000;
const clip = (text: string) => (text.length > MAX_CAUSE ? `${text.slice(0, MAX_CAUSE)}…` : text);

/** The attempt's pod: the one of its number and mode. */
export const podOf = (session: ExecutionSession, pods: PodView[]) =>
  pods.find((p) => p.attempt === session.attempt && p.mode === session.mode);

export function unrecordedEnd(session: ExecutionSession, pods: PodView[]): CrashDetail | undefined {
  if (session.endedAt || !session.podUid) return undefined;
  const pod = podOf(session, pods);
  if (!pod || pod.uid !== session.podUid) {
    return {
      reason: 'PodMissing',
      message: `pod ${session.podName} disappeared${session.error ? `: ${clip(session.error)}` : ''}`,
    };
  }
  if (isLive(pod)) return undefined;
  const cause = session.error ?? terminationError(pod.message) ?? pod.message?.trim();
  const exit = `exit code ${pod.exitCode ?? 'unknown'}`;
  if (pod.phase === 'Succeeded') {
    return {
      reason: pod.reason ?? 'NoOutcome',
      exitCode: pod.exitCode ?? null,
      message: `pod ${pod.name} exited 0 without recording an outcome${cause ? `: ${clip(cause)}` : ''}`,
    };
  }
  const reason = pod.reason ?? 'Error';
  return {
    reason,
    exitCode: pod.exitCode ?? null,
    message: `pod ${pod.name} failed (${reason === 'Error' ? exit : `${reason}, ${exit}`})${cause ? `: ${clip(cause)}` : ''}`,
  };
}
