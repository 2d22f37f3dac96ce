// A supervised informer: client-node's ListWatch keeps a watch open and
// relists after 410 Gone, but any other error (ECONNRESET, 5xx, a failed list)
// stops it for good. This wrapper restarts it with backoff, replaces it with a
// fresh one (full relist) when restarts keep failing or the watch goes silent,
// and keeps its own cache so a relist turns into the right add/update/delete
// events. Handlers only hear about changes; they must be quick and must not
// throw (the controller's handlers just enqueue keys). health() tells since
// when it has been failing to list or watch, so probes can say so.
import {
  HttpMethod,
  ListWatch,
  Watch,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { backoffDelay, type BackoffOptions } from './backoff.ts';
import { errorMessage } from './errors.ts';
import { keyOf, objectKey } from './keys.ts';
import { machineryMetrics } from './metrics.ts';
import { apiVersionOf, resourceName, resourcePath, type ResourceType } from './resource.ts';
import { statusCode, type RestClient } from './rest.ts';

export type InformerEventType = 'add' | 'update' | 'delete' | 'resync';

export interface InformerEvent<T> {
  type: InformerEventType;
  object: T;
  /** The cached object before an update. */
  old?: T;
}

export type InformerHandler<T> = (event: InformerEvent<T>) => void;

/** Whether an informer can currently reach the API server. */
export interface InformerHealth {
  /** Set at the first error after the last successful list or watch connect; unset while healthy. */
  failingSince?: Date;
  /** The most recent error (kept after recovery, for the record). */
  lastError?: string;
}

/** What a controller needs from an informer: a read-only cache and its changes. */
export interface Informer<T extends KubernetesObject = KubernetesObject> {
  readonly description: string;
  /** Starts listing and watching; calling it again does nothing. */
  start(): void;
  stop(): Promise<void>;
  hasSynced(): boolean;
  waitForSync(signal?: AbortSignal): Promise<void>;
  /** Cached objects (all, or one namespace's). Treat them as read-only. */
  list(namespace?: string): T[];
  get(namespace: string | undefined, name: string): T | undefined;
  /** A handler added after the first sync is told about every cached object as an add. */
  subscribe(handler: InformerHandler<T>): () => void;
}

export interface InformerOptions<T extends KubernetesObject = KubernetesObject> {
  resource: ResourceType;
  /** Watch one namespace; all namespaces when unset. */
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Every cached object is re-announced as a `resync` event this often; 0 turns it off. */
  resyncPeriodMs?: number;
  /** Restart with a fresh informer when nothing (no event, no reconnect) was heard for this long. */
  watchdogMs?: number;
  /** Backoff between restarts after errors. */
  backoff?: Partial<BackoffOptions>;
  /** After this many failed restarts in a row, start over with a fresh informer and a full relist. */
  freshAfterFailures?: number;
  /** A restart that ran this long without error counts as healthy: the backoff starts over. */
  healthyAfterMs?: number;
  logger?: Logger;
  registry?: Registry;
  /**
   * Keep metadata.managedFields in the cache. Off by default: server-side
   * apply bookkeeping that reconcilers never read, and a good share of every
   * cached object's memory (controller-runtime's TransformStripManagedFields).
   */
  keepManagedFields?: boolean;
  /**
   * Trims each object before it is cached, in place (ListWatch holds the same
   * object): keep only what the controllers read, as controller-runtime's
   * cache transforms do. Must keep metadata name, namespace, uid and
   * resourceVersion.
   */
  transform?: (object: T) => void;
  /** List in pages of this many objects (limit/continue), so a big relist is never one huge response. */
  listPageSize?: number;
}

export function createInformer<T extends KubernetesObject>(
  client: RestClient,
  options: InformerOptions<T>,
): SupervisedInformer<T> {
  return new SupervisedInformer<T>(client, options);
}

export class SupervisedInformer<T extends KubernetesObject> implements Informer<T> {
  readonly description: string;
  private readonly client: RestClient;
  private readonly options: InformerOptions<T>;
  private readonly backoff: BackoffOptions;
  private readonly logger: Logger;
  private readonly store = new Map<string, T>();
  private readonly handlers = new Set<InformerHandler<T>>();
  private listWatch: ListWatch<T> | undefined;
  /** Bumped for every new ListWatch and on stop: callbacks of older ones are ignored. */
  private generation = 0;
  private running = false;
  private synced = false;
  private syncWaiters: (() => void)[] = [];
  private failures = 0;
  private lastLaunchAt = 0;
  private lastActivityAt = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private watchdogTimer: NodeJS.Timeout | undefined;
  private resyncTimer: NodeJS.Timeout | undefined;
  private readonly restarts: (() => void) | undefined;
  private failingSince: Date | undefined;
  private lastError: string | undefined;

  constructor(client: RestClient, options: InformerOptions<T>) {
    this.client = client;
    this.options = options;
    this.backoff = { baseMs: 1000, maxMs: 60_000, ...options.backoff };
    this.description = [
      resourceName(options.resource),
      options.namespace ? `in ${options.namespace}` : 'in all namespaces',
      options.labelSelector ? `with labels ${options.labelSelector}` : '',
      options.fieldSelector ? `with fields ${options.fieldSelector}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ informer: this.description });
    if (options.registry) {
      const counter = machineryMetrics(options.registry).informerRestarts;
      const resource = resourceName(options.resource);
      this.restarts = () => counter.inc({ resource });
    }
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.launch(true);
    const watchdogMs = this.options.watchdogMs ?? 5 * 60_000;
    this.watchdogTimer = setInterval(() => this.checkWatchdog(watchdogMs), Math.min(watchdogMs / 4, 30_000));
    this.watchdogTimer.unref();
    if (this.options.resyncPeriodMs) {
      this.resyncTimer = setInterval(() => this.resync(), this.options.resyncPeriodMs);
      this.resyncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.synced = false;
    this.generation++;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdogTimer);
    clearInterval(this.resyncTimer);
    const listWatch = this.listWatch;
    this.listWatch = undefined;
    this.failingSince = undefined;
    await listWatch?.stop();
  }

  health(): InformerHealth {
    return { failingSince: this.failingSince, lastError: this.lastError };
  }

  hasSynced(): boolean {
    return this.synced;
  }

  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(new Error(`gave up waiting for the informer for ${this.description} to sync`));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  list(namespace?: string): T[] {
    const all = [...this.store.values()];
    return namespace === undefined ? all : all.filter((obj) => obj.metadata?.namespace === namespace);
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.store.get(keyOf({ namespace, name }));
  }

  subscribe(handler: InformerHandler<T>): () => void {
    this.handlers.add(handler);
    if (this.synced) for (const object of this.store.values()) this.notify(handler, { type: 'add', object });
    return () => this.handlers.delete(handler);
  }

  /** Starts the current ListWatch again, or a fresh one (empty resourceVersion, full relist). */
  private launch(fresh: boolean): void {
    this.restartTimer = undefined;
    if (!this.running) return;
    if (fresh || !this.listWatch) {
      const previous = this.listWatch;
      const generation = ++this.generation;
      this.listWatch = this.makeListWatch(generation);
      // Stopping the old one makes it report an abort error; the generation check drops it.
      void previous?.stop();
    }
    const generation = this.generation;
    this.lastLaunchAt = this.lastActivityAt = Date.now();
    this.listWatch.start().catch((error: unknown) => this.onError(generation, error));
  }

  private makeListWatch(generation: number): ListWatch<T> {
    const { resource, namespace, labelSelector, fieldSelector } = this.options;
    const current = () => this.running && generation === this.generation;
    const watch = new ConnectionReportingWatch(this.client.kc, () => {
      if (current()) this.heard();
    });
    const listWatch = new ListWatch<T>(
      resourcePath(resource, { namespace }),
      watch,
      () => this.listFor(generation),
      false,
      labelSelector,
      fieldSelector,
    );
    // ListWatch's own cache echoes what listFor already stored; upsert ignores same-version echoes.
    listWatch.on('add', (object) => current() && this.upsert(object));
    listWatch.on('update', (object) => current() && this.upsert(object));
    listWatch.on('delete', (object) => current() && this.remove(object));
    // Not 'connect': ListWatch emits it before each list-and-watch attempt, also those that fail.
    listWatch.on('error', (error) => this.onError(generation, error));
    return listWatch;
  }

  /** The list behind every (re)list: the result replaces the cache, announcing the differences. */
  private async listFor(generation: number): Promise<KubernetesListObject<T>> {
    const { resource } = this.options;
    const list = await this.listPages(generation);
    if (!this.running || generation !== this.generation) throw new Error('superseded by a newer informer');
    // List items come without apiVersion and kind; watch events have them.
    for (const item of list.items) {
      item.apiVersion ??= apiVersionOf(resource);
      item.kind ??= resource.kind;
    }
    this.replace(list.items);
    this.heard();
    if (!this.synced) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
    return list;
  }

  /**
   * One consistent list, in pages: every page comes from the snapshot of the
   * first (the API server's continue token), so the result is one list at one
   * resourceVersion. An expired token (410) starts over.
   */
  private async listPages(generation: number): Promise<KubernetesListObject<T>> {
    const { resource, namespace, labelSelector, fieldSelector, listPageSize = 500 } = this.options;
    const path = resourcePath(resource, { namespace });
    for (;;) {
      let first: KubernetesListObject<T> | undefined;
      const items: T[] = [];
      let token: string | undefined;
      try {
        do {
          const page: KubernetesListObject<T> = await this.client.request(HttpMethod.GET, path, {
            query: { labelSelector, fieldSelector, limit: String(listPageSize), continue: token },
            timeoutMs: 120_000,
          });
          if (!this.running || generation !== this.generation) throw new Error('superseded by a newer informer');
          first ??= page;
          for (const item of page.items) items.push(item);
          // Plain JSON from the API server: the field is `continue` (client-node's model calls it _continue).
          token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
        } while (token);
      } catch (error) {
        if (token && statusCode(error) === 410) continue; // the snapshot expired mid-list: list again
        throw error;
      }
      const { continue: _done, ...metadata } = (first!.metadata ?? {}) as Record<string, unknown>;
      return { ...first!, items, metadata };
    }
  }

  private replace(items: T[]): void {
    const listed = new Set<string>();
    for (const item of items) {
      listed.add(objectKey(item));
      this.upsert(item);
    }
    for (const [key, object] of this.store) {
      if (listed.has(key)) continue;
      this.store.delete(key);
      this.emit({ type: 'delete', object });
    }
  }

  /** A list succeeded or a watch connected: the API server is reachable. */
  private heard(): void {
    this.lastActivityAt = Date.now();
    this.failingSince = undefined;
  }

  private failed(message: string): void {
    this.failingSince ??= new Date();
    this.lastError = message;
  }

  private upsert(object: T): void {
    this.lastActivityAt = Date.now();
    // In place: ListWatch holds the same object, so its copy shrinks too.
    if (!this.options.keepManagedFields && object.metadata?.managedFields) delete object.metadata.managedFields;
    this.options.transform?.(object);
    const key = objectKey(object);
    const old = this.store.get(key);
    if (old && old.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    this.store.set(key, object);
    this.emit(old ? { type: 'update', object, old } : { type: 'add', object });
  }

  private remove(object: T): void {
    this.lastActivityAt = Date.now();
    const key = objectKey(object);
    if (!this.store.delete(key)) return;
    this.emit({ type: 'delete', object });
  }

  private resync(): void {
    if (!this.synced) return;
    for (const object of this.store.values()) this.emit({ type: 'resync', object });
  }

  private emit(event: InformerEvent<T>): void {
    for (const handler of this.handlers) this.notify(handler, event);
  }

  private notify(handler: InformerHandler<T>, event: InformerEvent<T>): void {
    try {
      handler(event);
    } catch (error) {
      // A throwing handler must not take the watch (or the process) down with it.
      this.logger.error({ err: error, event: event.type }, 'informer event handler threw');
    }
  }

  private onError(generation: number, error: unknown): void {
    if (!this.running || generation !== this.generation) return;
    this.failed(errorMessage(error));
    if (this.restartTimer) return;
    if (Date.now() - this.lastLaunchAt > (this.options.healthyAfterMs ?? 60_000)) this.failures = 0;
    this.failures++;
    const fresh = this.failures >= (this.options.freshAfterFailures ?? 3);
    const delayMs = backoffDelay(this.failures, this.backoff);
    this.logger.warn(
      { err: error, failures: this.failures, delayMs, fresh },
      `informer for ${this.description} failed; restarting${fresh ? ' with a full relist' : ''}`,
    );
    this.restarts?.();
    this.restartTimer = setTimeout(() => this.launch(fresh), delayMs);
    this.restartTimer.unref();
  }

  private checkWatchdog(watchdogMs: number): void {
    if (!this.running || this.restartTimer) return;
    const silentMs = Date.now() - this.lastActivityAt;
    if (silentMs < watchdogMs) return;
    this.failed(`heard nothing from the API server for ${silentMs} ms`);
    this.logger.warn({ silentMs }, `informer for ${this.description} heard nothing for ${silentMs} ms; restarting`);
    this.restarts?.();
    this.launch(true);
  }
}

/**
 * A Watch that reports when the API server accepted the watch (200 and a
 * stream). ListWatch has no such event, and a watch that reconnects without a
 * relist proves the server is reachable only this way.
 */
class ConnectionReportingWatch extends Watch {
  private readonly onConnected: () => void;

  constructor(kc: KubeConfig, onConnected: () => void) {
    super(kc);
    this.onConnected = onConnected;
  }

  override async watch(...[path, query, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
    // watch() resolves once the response arrived; a failed attempt has called done(error) by then.
    let failed = false;
    const report = (error: unknown) => {
      if (error) failed = true;
      done(error);
    };
    try {
      const controller = await super.watch(path, query, callback, report);
      if (!failed) this.onConnected();
      return controller;
    } catch (error) {
      // Credentials that cannot be applied throw before the request; on a reconnect nobody
      // would catch that, so report it as the watch's end like any other failure.
      report(error);
      const aborted = new AbortController();
      aborted.abort();
      return aborted;
    }
  }
}
