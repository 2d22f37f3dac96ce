// Closes what deleted StoryRuns leave behind, without a finalizer on them:
// their open attempts in Postgres (a Deleted event and Crashed/Deleted ends)
// and their story pods (stopped with the abort grace period rather than the
// garbage collector's graceful one). Runs on the leader, on every StoryRun
// delete the cache sees, and every minute for deletes it missed while no
// operator was running.
import { HttpMethod, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import type pg from 'pg';
import { LABELS } from '@nightshift/crds/contract';
import { isNotFound, podResource, resourcePath, type Informer, type Manager, type RestClient } from '../kube/index.ts';
import type { Logger } from '../log.ts';
import { recordEvent } from '../records/events.ts';
import { closeOpenSessions, openStories } from '../records/sessions.ts';
import { isLive } from '../storyrun/attempt-end.ts';
import { podView } from '../storyrun/observe.ts';
import { sweepOrphans } from '../storyrun/orphans.ts';

export interface OrphanSweepDeps {
  client: RestClient;
  pool: pg.Pool;
  storyRuns: Informer<KubernetesObject>;
  pods: Informer<V1Pod>;
  /** The namespaces this operator watches; [] means all. */
  namespaces: readonly string[];
  abortStopSeconds: number;
  intervalMs?: number;
  logger: Logger;
}

export function setupOrphanSweep(manager: Manager, deps: OrphanSweepDeps): void {
  let timer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let running: Promise<void> = Promise.resolve();
  let again = false;

  const sweepOnce = async () => {
    const open = await openStories(deps.pool); // records first: see storyrun/orphans.ts
    if (!deps.storyRuns.hasSynced() || !deps.pods.hasSynced()) return;
    const live = new Set(deps.storyRuns.list().flatMap((sr) => sr.metadata?.uid ?? []));
    const pods = deps.pods.list().map((pod) => {
      const view = podView(pod);
      return {
        namespace: pod.metadata!.namespace!,
        name: pod.metadata!.name!,
        storyUid: pod.metadata?.labels?.[LABELS.storyRunUid],
        live: view ? isLive(view) : false,
        terminating: Boolean(pod.metadata?.deletionTimestamp),
        ...(pod.metadata?.deletionGracePeriodSeconds !== undefined
          ? { deletionGracePeriodSeconds: pod.metadata.deletionGracePeriodSeconds }
          : {}),
      };
    });
    const watched = (namespace: string) => deps.namespaces.length === 0 || deps.namespaces.includes(namespace);
    const sweep = sweepOrphans(open, live, pods, { watched, abortStopSeconds: deps.abortStopSeconds });
    for (const { namespace, name } of sweep.stop) {
      await deps.client
        .request(HttpMethod.DELETE, resourcePath(podResource, { namespace, name }), {
          body: { gracePeriodSeconds: deps.abortStopSeconds },
        })
        .catch((error: unknown) => {
          if (!isNotFound(error)) throw error;
        });
    }
    for (const uid of sweep.close) {
      await recordEvent(deps.pool, {
        storyUid: uid,
        type: 'Deleted',
        message: 'StoryRun deleted',
        idempotencyKey: `operator:${uid}:deleted`,
      });
      await closeOpenSessions(deps.pool, uid, 'the StoryRun was deleted');
    }
    if (sweep.close.length || sweep.stop.length) {
      deps.logger.info(
        { closed: sweep.close.length, stopped: sweep.stop.length },
        'closed what deleted StoryRuns left',
      );
    }
  };

  /** One sweep at a time; a request during a sweep runs one more after it. */
  const sweep = () => {
    if (again) return;
    again = true;
    running = running.then(async () => {
      again = false;
      await sweepOnce().catch((error: Error) =>
        deps.logger.warn({ err: error }, `the orphan sweep failed (it runs again): ${error.message}`),
      );
    });
  };

  manager.addRunnable({
    name: 'orphan sweep',
    needLeaderElection: true,
    start: () => {
      unsubscribe = deps.storyRuns.subscribe((event) => {
        if (event.type === 'delete') sweep();
      });
      timer = setInterval(sweep, deps.intervalMs ?? 60_000);
      timer.unref();
      sweep();
    },
    stop: async () => {
      unsubscribe?.();
      clearInterval(timer);
      await running;
    },
  });
}
