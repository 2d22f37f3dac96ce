// A keyed work queue in the manner of client-go's workqueue: a key waits at
// most once (adding it again is a no-op), is never processed by two workers
// at once (a key re-added while in process runs again after it finishes), and
// failed keys come back after a per-key exponential backoff. Two lanes: an
// urgent key (a person pressed Pause) is handed to the next free worker ahead
// of every ordinary one (a backlog of admissions), still once per key.
import { ExponentialRateLimiter, type RateLimiter } from './backoff.ts';
import { systemClock, type Clock } from './clock.ts';

export type ProcessKey = (key: string) => Promise<void>;

export interface AddOptions {
  /** Ahead of every ordinary key; a waiting ordinary key added as urgent moves up. */
  urgent?: boolean;
}

export interface WorkQueueOptions {
  /** How many different keys may be processed at the same time. */
  workers?: number;
  rateLimiter?: RateLimiter;
  clock?: Clock;
  /** Called when the number of keys ready and waiting for a worker changes. */
  onDepthChange?: (depth: number) => void;
  /** Called when process rejects; the key is then retried with backoff. */
  onProcessError?: (key: string, error: unknown) => void;
}

export class WorkQueue {
  private readonly workers: number;
  private readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  private readonly options: WorkQueueOptions;
  /** Ready keys in arrival order (a Set keeps insertion order and de-duplicates). */
  private readonly queued = new Set<string>();
  /** Ready urgent keys, handed out before any in queued; a key is in one lane only. */
  private readonly urgent = new Set<string>();
  private readonly processing = new Set<string>();
  /** Keys added while they were being processed: they go back in line when done (true: urgently). */
  private readonly requeueWhenDone = new Map<string, boolean>();
  private readonly delayed = new Map<string, { readyAt: number; timer: unknown }>();
  private readonly inFlight = new Set<Promise<void>>();
  private process: ProcessKey | undefined;
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.workers = options.workers ?? 1;
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new Error(`workers must be a positive integer, got ${options.workers}`);
    }
    this.rateLimiter = options.rateLimiter ?? new ExponentialRateLimiter();
    this.clock = options.clock ?? systemClock;
    this.options = options;
  }

  /** Begins handing keys to process; keys added before start wait for it. */
  start(process: ProcessKey): void {
    if (this.process) throw new Error('work queue already started');
    this.process = process;
    this.dispatch();
  }

  add(key: string, { urgent = false }: AddOptions = {}): void {
    if (this.shuttingDown || this.urgent.has(key)) return;
    if (this.processing.has(key)) {
      this.requeueWhenDone.set(key, urgent || (this.requeueWhenDone.get(key) ?? false));
      return;
    }
    if (this.queued.has(key)) {
      if (!urgent) return;
      this.queued.delete(key);
    }
    (urgent ? this.urgent : this.queued).add(key);
    this.dispatch();
  }

  /** Adds key once ms have passed; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const readyAt = this.clock.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.readyAt <= readyAt) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds key after its backoff, which doubles with each failure until forget(key). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  retries(key: string): number {
    return this.rateLimiter.retries(key);
  }

  /** Keys ready and waiting for a worker (not those in process or delayed). */
  get depth(): number {
    return this.queued.size + this.urgent.size;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /**
   * Stops accepting keys and drops those waiting or delayed: the controllers
   * are level-triggered, so whoever runs next lists everything again anyway.
   * Keys in process finish; drain() waits for them.
   */
  shutDown(): void {
    this.shuttingDown = true;
    this.queued.clear();
    this.urgent.clear();
    this.requeueWhenDone.clear();
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.options.onDepthChange?.(0);
  }

  /** Resolves when no key is in process (after shutDown: for good). */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight);
  }

  private dispatch(): void {
    if (this.process && !this.shuttingDown) {
      while (this.processing.size < this.workers && this.depth > 0) {
        const lane = this.urgent.size > 0 ? this.urgent : this.queued;
        const key = lane.values().next().value as string;
        lane.delete(key);
        this.processing.add(key);
        const work = this.work(key);
        this.inFlight.add(work);
        void work.then(() => this.inFlight.delete(work));
      }
    }
    this.options.onDepthChange?.(this.depth);
  }

  private async work(key: string): Promise<void> {
    // Start in a later microtask so process never runs inside add()'s caller.
    await null;
    try {
      await this.process!(key);
    } catch (error) {
      this.addRateLimited(key);
      try {
        this.options.onProcessError?.(key, error);
      } catch {
        // A reporting hook must not turn into an unhandled rejection.
      }
    } finally {
      this.processing.delete(key);
      const again = this.requeueWhenDone.get(key);
      if (again !== undefined) {
        this.requeueWhenDone.delete(key);
        (again ? this.urgent : this.queued).add(key);
      }
      this.dispatch();
    }
  }
}
