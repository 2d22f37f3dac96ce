// The controller loop, as in controller-runtime: informer events become keys
// in a work queue, and workers call reconcile(key) for each. Reconcile is
// level-triggered: it reads the current state from the caches, so many events
// for one object collapse into one call. A failure is logged with its key and
// retried with per-key exponential backoff; { requeueAfterMs } asks for
// another look later. A resync period reconciles every primary again now and
// then, catching whatever an event missed. stop() takes no new work and waits
// for the reconciles in flight.
import type { KubernetesObject } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RateLimiter } from './backoff.ts';
import type { Informer, InformerEvent } from './informer.ts';
import { objectKey } from './keys.ts';
import { machineryMetrics } from './metrics.ts';
import { WorkQueue, type AddOptions } from './work-queue.ts';

export interface ReconcileResult {
  /** Reconcile this key again after this long (a timer, a poll), even without an event. */
  requeueAfterMs?: number;
}

/** Brings the object named by key (`namespace/name`) one step closer to what it asks for. */
export type Reconcile = (key: string, signal: AbortSignal) => Promise<ReconcileResult | void>;

/** A secondary resource whose changes trigger reconciles of the primaries it maps to. */
export interface WatchSource<T extends KubernetesObject = KubernetesObject> {
  informer: Informer<T>;
  /** Keys of the primary objects to reconcile when this object changes (e.g. keysFromController). */
  keysOf: (object: T) => string[];
  /** Events that must not wait behind a backlog (a control that stops work); ordinary otherwise. */
  urgent?: (event: InformerEvent<T>) => boolean;
  /** Only events this accepts are mapped (controller-runtime's predicates): e.g. ignore status-only updates. */
  predicate?: (event: InformerEvent<T>) => boolean;
}

export interface ControllerOptions {
  /** Names the controller in logs and metrics, e.g. 'storyrun'. */
  name: string;
  /** Informer(s) of the primary resource: one per namespace when watching several. */
  for: Informer | Informer[];
  watches?: WatchSource[];
  reconcile: Reconcile;
  /** Reconciles in parallel (never two for one key). */
  workers?: number;
  rateLimiter?: RateLimiter;
  logger?: Logger;
  registry?: Registry;
  /** start() fails when the caches have not synced by then. */
  syncTimeoutMs?: number;
  /**
   * Primary events that must not wait behind a backlog: a person pressing
   * Pause is reconciled before a thousand admissions (the work queue's urgent
   * lane), still once per key.
   */
  urgent?: (event: InformerEvent<KubernetesObject>) => boolean;
  /**
   * Every cached primary is reconciled again this often; unset or 0: never.
   * Only primaries: a secondary's change reaches its primary anyway, so
   * the informers themselves need not resync and can be shared.
   */
  resyncPeriodMs?: number;
}

export class Controller {
  readonly name: string;
  private readonly options: ControllerOptions;
  private readonly queue: WorkQueue;
  private readonly logger: Logger;
  private readonly stopping = new AbortController();
  private readonly unsubscribes: (() => void)[] = [];
  private readonly metrics: ReturnType<typeof machineryMetrics> | undefined;
  private started = false;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.options = options;
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ controller: options.name });
    this.metrics = options.registry ? machineryMetrics(options.registry) : undefined;
    this.queue = new WorkQueue({
      workers: options.workers ?? 1,
      rateLimiter: options.rateLimiter,
      onDepthChange: (depth) => this.metrics?.queueDepth.set({ name: this.name }, depth),
    });
  }

  /** Starts the informers (if not yet running), waits for their caches, then starts the workers. */
  async start(): Promise<void> {
    if (this.started || this.stopping.signal.aborted) {
      throw new Error(`controller ${this.name} cannot start: it was already started or stopped`);
    }
    this.started = true;
    const primaries = [this.options.for].flat();
    for (const informer of primaries) {
      this.unsubscribes.push(
        informer.subscribe((event) => this.enqueueEvent(informer, event, primaryKeys, this.options.urgent)),
      );
    }
    for (const { informer, keysOf, urgent, predicate } of this.options.watches ?? []) {
      this.unsubscribes.push(
        informer.subscribe((event) => {
          if (!predicate || predicate(event)) this.enqueueEvent(informer, event, keysOf, urgent);
        }),
      );
    }
    const informers = [...primaries, ...(this.options.watches ?? []).map((w) => w.informer)];
    for (const informer of informers) informer.start();
    const timeout = AbortSignal.timeout(this.options.syncTimeoutMs ?? 5 * 60_000);
    const signal = AbortSignal.any([timeout, this.stopping.signal]);
    await Promise.all(informers.map((informer) => informer.waitForSync(signal)));
    this.queue.start((key) => this.reconcileKey(key));
    if (this.options.resyncPeriodMs && !this.stopping.signal.aborted) {
      this.resyncTimer = setInterval(() => {
        for (const informer of primaries) for (const object of informer.list()) this.queue.add(objectKey(object));
      }, this.options.resyncPeriodMs);
      this.resyncTimer.unref();
    }
    this.logger.info({ workers: this.options.workers ?? 1 }, `controller ${this.name} started`);
  }

  /** Reconciles key soon, whatever the informers say (e.g. on a notification from elsewhere). */
  enqueue(key: string, options?: AddOptions): void {
    this.queue.add(key, options);
  }

  enqueueAfter(key: string, ms: number): void {
    this.queue.addAfter(key, ms);
  }

  /**
   * Takes no new work and waits for the reconciles in flight (their signal is
   * aborted, so long ones can stop early). Informers are left running: they
   * may be shared; stop them after the controllers.
   */
  async stop(): Promise<void> {
    this.stopping.abort();
    clearInterval(this.resyncTimer);
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    this.queue.shutDown();
    await this.queue.drain();
    this.logger.info(`controller ${this.name} stopped`);
  }

  private enqueueEvent<T extends KubernetesObject>(
    informer: Informer<T>,
    event: InformerEvent<T>,
    keysOf: (object: T) => string[],
    isUrgent: ((event: InformerEvent<T>) => boolean) | undefined,
  ): void {
    try {
      const keys = new Set(keysOf(event.object));
      // An update can move an object away from its old primary (a changed label or owner).
      if (event.old) for (const key of keysOf(event.old)) keys.add(key);
      const urgent = isUrgent?.(event) ?? false;
      if (urgent) this.metrics?.urgentEnqueues.inc({ controller: this.name });
      for (const key of keys) this.queue.add(key, { urgent });
    } catch (error) {
      this.logger.error(
        { err: error, event: event.type, informer: informer.description },
        `controller ${this.name}: could not map a ${event.type} event to keys`,
      );
    }
  }

  private async reconcileKey(key: string): Promise<void> {
    const started = performance.now();
    let result: 'success' | 'requeue_after' | 'error' = 'success';
    try {
      const outcome = await this.options.reconcile(key, this.stopping.signal);
      this.queue.forget(key);
      if (outcome?.requeueAfterMs !== undefined) {
        result = 'requeue_after';
        this.queue.addAfter(key, outcome.requeueAfterMs);
      }
    } catch (error) {
      result = 'error';
      const retries = this.queue.retries(key);
      this.queue.addRateLimited(key);
      this.metrics?.reconcileErrors.inc({ controller: this.name });
      this.metrics?.queueRetries.inc({ name: this.name });
      this.logger.error(
        { err: error, key, retries: retries + 1 },
        `controller ${this.name}: reconcile of ${key} failed (retry ${retries + 1} follows with backoff): ${(error as Error)?.message ?? error}`,
      );
    } finally {
      this.metrics?.reconcileTotal.inc({ controller: this.name, result });
      this.metrics?.reconcileDuration.observe({ controller: this.name }, (performance.now() - started) / 1000);
    }
  }
}

const primaryKeys = (object: KubernetesObject) => [objectKey(object)];
