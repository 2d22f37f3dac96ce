// What is left of StoryRuns that are gone: attempts still open in Postgres
// and story pods still running. With no finalizer on StoryRuns, the pods and
// the volume go with their owner (ownerReferences), and this decides what the
// sweep closes and stops. Pure.
//
// Read the records before the cache: a session is inserted only after its
// StoryRun is in the cache, so every open session read earlier belongs to a
// StoryRun the later cache snapshot still holds — unless it was deleted.

export interface OpenStory {
  uid: string;
  namespace: string;
}

export interface StoryPod {
  namespace: string;
  name: string;
  storyUid: string | undefined;
  live: boolean;
  terminating: boolean;
  deletionGracePeriodSeconds?: number;
}

export interface OrphanSweep {
  /** StoryRun uids whose open attempts are closed (Deleted). */
  close: string[];
  /** Pods of gone StoryRuns, stopped with the abort grace period (the garbage collector would give them the full graceful one). */
  stop: { namespace: string; name: string }[];
}

export function sweepOrphans(
  open: OpenStory[],
  liveStoryUids: ReadonlySet<string>,
  pods: StoryPod[],
  options: { watched: (namespace: string) => boolean; abortStopSeconds: number },
): OrphanSweep {
  const close = [
    ...new Set(open.filter((s) => options.watched(s.namespace) && !liveStoryUids.has(s.uid)).map((s) => s.uid)),
  ];
  const stop = pods
    .filter(
      (p) =>
        p.storyUid !== undefined &&
        !liveStoryUids.has(p.storyUid) &&
        p.live &&
        (!p.terminating || (p.deletionGracePeriodSeconds ?? Infinity) > options.abortStopSeconds),
    )
    .map(({ namespace, name }) => ({ namespace, name }));
  return { close, stop };
}
