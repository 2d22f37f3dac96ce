// Leader election on a coordination.k8s.io/v1 Lease, after client-go's
// leaderelection package. A candidate takes the Lease when it is free (no
// holder) or has not been renewed for leaseDuration, judged by when *we* saw
// it change rather than by its timestamps, so clock skew between replicas
// does not matter. Every write carries the resourceVersion it read: of two
// candidates racing, one gets 409 Conflict and stays a follower. The leader
// renews every retryPeriod; if it has not renewed for renewDeadline (or sees
// another holder) it stops leading, and the caller should exit. A graceful
// stop releases the Lease so another replica takes over at once.
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import type { Registry } from 'prom-client';
import { sleep } from './clock.ts';
import { machineryMetrics } from './metrics.ts';
import { isConflict, isNotFound, statusCode } from './rest.ts';

export type StoppedLeadingReason = 'Released' | 'Lost';

export interface LeaderElectionOptions {
  kc: KubeConfig;
  leaseName: string;
  namespace: string;
  /** This replica; unique among candidates. */
  identity: string;
  /** How long a Lease that is not renewed keeps others out. */
  leaseDurationMs?: number;
  /** The leader gives up when it could not renew for this long; less than leaseDurationMs. */
  renewDeadlineMs?: number;
  /** Between attempts to acquire or renew. */
  retryPeriodMs?: number;
  /** Called once this replica leads; signal aborts when it stops leading. */
  onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /**
   * Called when this replica stops leading. 'Lost': the Lease could not be
   * renewed, so another replica may lead already; stop working and exit.
   * 'Released': stop() was called; the Lease is released after this returns.
   */
  onStoppedLeading?: (reason: StoppedLeadingReason) => void | Promise<void>;
  onNewLeader?: (identity: string) => void;
  logger?: Logger;
  registry?: Registry;
}

interface Observed {
  holder: string;
  renewTime: string;
  /** When we last saw holder or renewTime change (our clock). */
  at: number;
}

export class LeaderElector {
  private readonly options: Required<
    Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>
  > &
    LeaderElectionOptions;
  private readonly api: CoordinationV1Api;
  private readonly logger: Logger;
  private readonly stopRequested = new AbortController();
  private leadership: AbortController | undefined;
  private observed: Observed | undefined;
  private lastRenewAt = 0;
  private running: Promise<void> | undefined;
  private readonly setLeaderGauge: (leading: boolean) => void;

  constructor(options: LeaderElectionOptions) {
    this.options = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000, ...options };
    const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = this.options;
    if (!(leaseDurationMs > renewDeadlineMs && renewDeadlineMs > retryPeriodMs && retryPeriodMs > 0)) {
      throw new Error(
        `leader election needs leaseDurationMs (${leaseDurationMs}) > renewDeadlineMs (${renewDeadlineMs}) > retryPeriodMs (${retryPeriodMs}) > 0`,
      );
    }
    if (!options.identity) throw new Error('leader election needs an identity');
    this.api = options.kc.makeApiClient(CoordinationV1Api);
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({
      lease: `${options.namespace}/${options.leaseName}`,
      identity: options.identity,
    });
    const gauge = options.registry ? machineryMetrics(options.registry).isLeader : undefined;
    this.setLeaderGauge = (leading) => gauge?.set({ lease: options.leaseName }, leading ? 1 : 0);
  }

  isLeader(): boolean {
    return this.leadership !== undefined;
  }

  /**
   * Campaigns until stop() or until the Lease is lost; resolves then (never
   * rejects). Calling it again returns the same promise.
   */
  run(): Promise<void> {
    this.running ??= this.campaign().catch((error: unknown) => {
      this.logger.error({ err: error }, 'leader election failed');
    });
    return this.running;
  }

  /** Stops campaigning; a leader calls onStoppedLeading('Released'), then releases the Lease. */
  async stop(): Promise<void> {
    this.stopRequested.abort();
    await this.running;
  }

  private async campaign(): Promise<void> {
    const stop = this.stopRequested.signal;
    const { retryPeriodMs, renewDeadlineMs } = this.options;
    while (!stop.aborted && !(await this.tryAcquireOrRenew())) await sleep(jitter(retryPeriodMs), stop);
    if (stop.aborted) return;

    this.leadership = new AbortController();
    this.setLeaderGauge(true);
    this.logger.info('started leading');
    void this.call(() => this.options.onStartedLeading(this.leadership!.signal), 'onStartedLeading');

    let reason: StoppedLeadingReason = 'Released';
    while (!stop.aborted) {
      await sleep(retryPeriodMs, stop);
      if (stop.aborted) break;
      const renewed = await this.tryAcquireOrRenew(this.lastRenewAt + renewDeadlineMs - Date.now());
      if (renewed) continue;
      const heldByOther = this.observed !== undefined && this.observed.holder !== this.options.identity;
      if (heldByOther || Date.now() - this.lastRenewAt >= renewDeadlineMs) {
        reason = 'Lost';
        this.logger.error({ holder: this.observed?.holder }, 'lost the lease; stopping leading');
        break;
      }
    }

    this.leadership.abort();
    this.leadership = undefined;
    this.setLeaderGauge(false);
    await this.call(() => this.options.onStoppedLeading?.(reason), 'onStoppedLeading');
    if (reason === 'Released') await this.release();
  }

  /** One attempt to take or keep the Lease; false when someone else holds it or the write failed. */
  private async tryAcquireOrRenew(timeoutMs = this.options.renewDeadlineMs): Promise<boolean> {
    if (timeoutMs <= 0) return false;
    try {
      return await withTimeout(this.acquireOrRenew(), timeoutMs);
    } catch (error) {
      if (!isConflict(error)) this.logger.warn({ err: error, status: statusCode(error) }, 'lease request failed');
      return false;
    }
  }

  private async acquireOrRenew(): Promise<boolean> {
    const { leaseName: name, namespace, identity } = this.options;
    const now = Date.now();
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (error) {
      if (!isNotFound(error)) throw error;
      await this.api.createNamespacedLease({
        namespace,
        body: { metadata: { name, namespace }, spec: this.spec(now) },
      });
      this.renewed(now);
      return true;
    }
    const spec = lease.spec ?? {};
    const holder = spec.holderIdentity ?? '';
    this.observe(holder, String(spec.renewTime ?? ''), now);
    const durationMs = (spec.leaseDurationSeconds ?? 0) * 1000;
    if (holder && holder !== identity && now < this.observed!.at + durationMs) return false;

    const transitions = spec.leaseTransitions ?? 0;
    const keep = holder === identity;
    lease.spec = this.spec(now, keep ? spec.acquireTime : undefined, keep ? transitions : transitions + 1);
    // The read resourceVersion stays in metadata: a concurrent write makes this a 409.
    await this.api.replaceNamespacedLease({ name, namespace, body: lease });
    this.renewed(now);
    return true;
  }

  private spec(now: number, acquireTime?: V1MicroTime, leaseTransitions = 0) {
    return {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMs / 1000),
      // MicroTime: a plain Date serialises with milliseconds, which the API server refuses.
      acquireTime: acquireTime ?? new V1MicroTime(now),
      renewTime: new V1MicroTime(now),
      leaseTransitions,
    };
  }

  private observe(holder: string, renewTime: string, now: number): void {
    if (this.observed?.holder === holder && this.observed.renewTime === renewTime) return;
    this.observed = { holder, renewTime, at: now };
    if (holder) this.options.onNewLeader?.(holder);
  }

  private renewed(now: number): void {
    this.lastRenewAt = now;
    this.observed = { holder: this.options.identity, renewTime: new V1MicroTime(now).toISOString(), at: now };
  }

  /** Hands the Lease over: no holder and a 1 s duration, as client-go's ReleaseOnCancel does. */
  private async release(): Promise<void> {
    const { leaseName: name, namespace, identity } = this.options;
    try {
      const lease = await this.api.readNamespacedLease({ name, namespace });
      if (lease.spec?.holderIdentity !== identity) return;
      const now = new V1MicroTime();
      lease.spec = {
        ...lease.spec,
        holderIdentity: undefined,
        leaseDurationSeconds: 1,
        renewTime: now,
        acquireTime: now,
      };
      await this.api.replaceNamespacedLease({ name, namespace, body: lease });
      this.logger.info('released the lease');
    } catch (error) {
      this.logger.warn({ err: error }, 'failed to release the lease; others wait for it to expire');
    }
  }

  private async call(callback: () => void | Promise<void>, name: string): Promise<void> {
    try {
      await callback();
    } catch (error) {
      this.logger.error({ err: error }, `${name} threw`);
    }
  }
}

/** Up to 20% more, so candidates started together do not stay in lockstep. */
const jitter = (ms: number) => ms * (1 + Math.random() * 0.2);

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`lease request timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
