// The dashboard's view of the cluster: the manager's shared informers
// (StoryRuns, WorkQueues, Budgets, the operator's pods, StoryRun Events),
// and an index of parsed StoryRuns with their summaries, kept up to date
// from the informer's changes so a list of 10,000 parses nothing.
import type * as k8s from '@kubernetes/client-node';
import {
  budgetSchema,
  storyRunSchema,
  workQueueSchema,
  type Budget,
  type StoryRun,
  type WorkQueue,
} from '@nightshift/crds';
import { LABELS, MANAGED_BY, RESOURCES } from '@nightshift/crds/contract';
import { keyOf, podResource, type Informer, type InformerEvent, type Manager } from '@nightshift/operator/kube';
import type { Logger } from 'pino';
import type { StorySummary } from '../api/schemas.ts';
import { compareKeys, newestFirst } from '../views/pages.ts';
import { storySummary } from '../views/resources.ts';

/** The sort key of the story list: newest first, then namespace and name. */
export const storyListKey = (s: StorySummary) => [newestFirst(s.createdAt), s.namespace, s.name] as const;

export const eventResource = { group: '', version: 'v1', plural: 'events', kind: 'Event' };

export interface IndexedStory {
  run: StoryRun;
  summary: StorySummary;
}

type Parsed<T> = { success: true; data: T } | { success: false; error: { message: string } };

export class ClusterView {
  readonly storyRuns: Informer<k8s.KubernetesObject>;
  readonly workQueues: Informer<k8s.KubernetesObject>;
  readonly budgets: Informer<k8s.KubernetesObject>;
  readonly pods: Informer<k8s.V1Pod>;
  readonly events: Informer<k8s.CoreV1Event>;
  /** Namespaces served; empty: all. */
  readonly namespaces: readonly string[];
  private readonly stories = new Map<string, IndexedStory>();
  private readonly byUid = new Map<string, IndexedStory>();
  /** The stories newest first, made again only after a change (a list of 10,000 sorts once, not per request). */
  private newestFirst: IndexedStory[] | undefined;
  private readonly logger: Logger;
  private readonly storyHandlers = new Set<(event: InformerEvent<IndexedStory>) => void>();

  constructor(manager: Manager, namespaces: readonly string[], logger: Logger) {
    this.namespaces = namespaces;
    this.logger = logger;
    this.storyRuns = manager.informer(RESOURCES.storyRun);
    this.workQueues = manager.informer(RESOURCES.workQueue);
    this.budgets = manager.informer(RESOURCES.budget);
    this.pods = manager.informer<k8s.V1Pod>(podResource, { labelSelector: `${LABELS.managedBy}=${MANAGED_BY}` });
    this.events = manager.informer<k8s.CoreV1Event>(eventResource, { fieldSelector: 'involvedObject.kind=StoryRun' });
    this.storyRuns.subscribe((event) => this.index(event));
  }

  hasSynced(): boolean {
    return [this.storyRuns, this.workQueues, this.budgets, this.pods, this.events].every((i) => i.hasSynced());
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(
      [this.storyRuns, this.workQueues, this.budgets, this.pods, this.events].map((i) => i.waitForSync(signal)),
    );
  }

  /** Whether this server serves the namespace (it watches only those it was given). */
  serves(namespace: string): boolean {
    return this.namespaces.length === 0 || this.namespaces.includes(namespace);
  }

  allStories(): IndexedStory[] {
    return [...this.stories.values()];
  }

  /** Every story, newest first (then by namespace and name): the order of the story list. */
  storiesNewestFirst(): readonly IndexedStory[] {
    this.newestFirst ??= [...this.stories.values()].sort((a, b) =>
      compareKeys(storyListKey(a.summary), storyListKey(b.summary)),
    );
    return this.newestFirst;
  }

  story(namespace: string, name: string): IndexedStory | undefined {
    return this.stories.get(keyOf({ namespace, name }));
  }

  storyByUid(uid: string): IndexedStory | undefined {
    return this.byUid.get(uid);
  }

  /**
   * Tells handler of every change of a parsed StoryRun (after the index has
   * it); like an informer, it first hears of every story indexed already.
   */
  onStory(handler: (event: InformerEvent<IndexedStory>) => void): () => void {
    this.storyHandlers.add(handler);
    for (const object of this.stories.values()) handler({ type: 'add', object });
    return () => this.storyHandlers.delete(handler);
  }

  queues(namespace?: string): WorkQueue[] {
    return this.parsedAll(this.workQueues, workQueueSchema, namespace);
  }

  queue(namespace: string, name: string): WorkQueue | undefined {
    return this.parsedOne(this.workQueues, workQueueSchema, namespace, name);
  }

  allBudgets(namespace?: string): Budget[] {
    return this.parsedAll(this.budgets, budgetSchema, namespace);
  }

  budget(namespace: string, name: string): Budget | undefined {
    return this.parsedOne(this.budgets, budgetSchema, namespace, name);
  }

  podsOf(storyUid: string): k8s.V1Pod[] {
    return this.pods.list().filter((pod) => pod.metadata?.labels?.[LABELS.storyRunUid] === storyUid);
  }

  eventsOf(storyUid: string): k8s.CoreV1Event[] {
    return this.events.list().filter((event) => event.involvedObject?.uid === storyUid);
  }

  private index(event: InformerEvent<k8s.KubernetesObject>): void {
    const key = keyOf({ namespace: event.object.metadata?.namespace, name: event.object.metadata?.name ?? '' });
    const previous = this.stories.get(key);
    this.newestFirst = undefined;
    if (event.type === 'delete') {
      this.stories.delete(key);
      if (previous) {
        this.byUid.delete(previous.run.metadata.uid ?? '');
        this.emit({ type: 'delete', object: previous });
      }
      return;
    }
    const parsed = storyRunSchema.safeParse(event.object);
    if (!parsed.success) {
      this.logger.warn(
        { storyRun: key, problem: parsed.error.issues[0]?.message },
        'ignoring a StoryRun that does not parse',
      );
      return;
    }
    const indexed = { run: parsed.data, summary: storySummary(parsed.data) };
    this.stories.set(key, indexed);
    this.byUid.set(parsed.data.metadata.uid ?? '', indexed);
    this.emit(previous ? { type: 'update', object: indexed, old: previous } : { type: 'add', object: indexed });
  }

  private emit(event: InformerEvent<IndexedStory>): void {
    for (const handler of this.storyHandlers) {
      try {
        handler(event);
      } catch (error) {
        this.logger.error({ err: error }, 'a StoryRun change handler threw');
      }
    }
  }

  private parsedAll<T>(
    informer: Informer<k8s.KubernetesObject>,
    schema: { safeParse(v: unknown): Parsed<T> },
    namespace?: string,
  ): T[] {
    return informer.list(namespace).flatMap((object) => {
      const parsed = schema.safeParse(object);
      return parsed.success ? [parsed.data] : [];
    });
  }

  private parsedOne<T>(
    informer: Informer<k8s.KubernetesObject>,
    schema: { safeParse(v: unknown): Parsed<T> },
    namespace: string,
    name: string,
  ): T | undefined {
    const object = informer.get(namespace, name);
    if (!object) return undefined;
    const parsed = schema.safeParse(object);
    return parsed.success ? parsed.data : undefined;
  }
}
