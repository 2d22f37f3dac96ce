// Whether a WorkQueue's recent failures should pause it (spec.autoPause):
// autoPause.failures stories of the queue failed within the last
// autoPause.withinMinutes. Failures before the queue was last auto-paused do
// not count again, so a person who resumes it (paused: false) gets a fresh
// count rather than an immediate second pause. Pure.
import type { StoryRun } from '@nightshift/crds';

export interface FailedStory {
  name: string;
  uid: string;
  failedAt: Date;
  reason: string;
}

export interface AutoPauseDecision {
  pause: boolean;
  /** The failures that count, newest last. */
  counted: FailedStory[];
  message: string;
}

export function shouldAutoPause(
  failures: FailedStory[],
  policy: { failures: number; withinMinutes: number },
  now: Date,
  lastAutoPausedAt?: Date,
): AutoPauseDecision {
  const windowStart = now.getTime() - policy.withinMinutes * 60_000;
  const since = Math.max(windowStart, lastAutoPausedAt?.getTime() ?? -Infinity);
  const counted = failures
    .filter((f) => f.failedAt.getTime() > since && f.failedAt.getTime() <= now.getTime())
    .sort((a, b) => a.failedAt.getTime() - b.failedAt.getTime());
  const pause = counted.length >= policy.failures;
  return {
    pause,
    counted,
    message: pause
      ? `${counted.length} stories failed within ${policy.withinMinutes} min (autoPause.failures ${policy.failures}): ${counted
          .map((f) => `${f.name} (${f.reason})`)
          .join(', ')}; set spec.paused to false to resume`
      : `${counted.length} of ${policy.failures} failures within ${policy.withinMinutes} min`,
  };
}

/** The queue's stories that failed, with when (status.completedAt) and why (the Complete condition's reason). */
export function failedStories(stories: StoryRun[]): FailedStory[] {
  return stories.flatMap((s) => {
    if (s.status?.phase !== 'Failed' || !s.status.completedAt) return [];
    const reason = s.status.conditions?.find((c) => c.type === 'Complete')?.reason ?? 'Failed';
    return [{ name: s.metadata.name, uid: s.metadata.uid!, failedAt: new Date(s.status.completedAt), reason }];
  });
}
