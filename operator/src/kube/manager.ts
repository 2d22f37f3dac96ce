// The manager, after controller-runtime's: it owns the shared informers, the
// probe server, leader election and the controllers and runnables, and
// starts and stops them in the one order that is safe. Informers run on every
// replica (a standby keeps warm caches); controllers and leader runnables
// only while this replica leads. Shutdown drains the reconciles in flight
// before the Lease is released, so the next leader never overlaps with them.
// The manager stops itself (exit code 1) when the Lease is lost, a controller
// cannot start, or an informer has been failing past health.exitAfterMs; the
// caller exits with manager.done and Kubernetes starts a fresh process.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { Controller, type ControllerOptions } from './controller.ts';
import { errorMessage } from './errors.ts';
import type { InformerOptions } from './informer.ts';
import { informerHealth, type HealthThresholds, type InformerReadout } from './informer-health.ts';
import { LeaderElector, type LeaderElectionOptions } from './leader-election.ts';
import { MultiNamespaceInformer } from './multi-namespace-informer.ts';
import { PROBE_PATHS, startProbeServer, type JsonHandler, type ProbeServer } from './probes.ts';
import { resourceName, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';

/** Where the Lease is and how it is timed; the manager supplies the callbacks. */
export type ManagerLeaderElection = Pick<
  LeaderElectionOptions,
  'leaseName' | 'namespace' | 'identity' | 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'
> & {
  /** Defaults to the client's kubeconfig. */
  kc?: KubeConfig;
};

export type InformerTuning = Pick<
  InformerOptions,
  'backoff' | 'watchdogMs' | 'freshAfterFailures' | 'healthyAfterMs' | 'keepManagedFields'
>;

export interface ManagerOptions {
  /** Names the manager in logs, e.g. 'nightshift-operator'. */
  name: string;
  client: RestClient;
  /** The namespaces to watch; [] watches all. */
  namespaces: readonly string[];
  logger: Logger;
  registry: Registry;
  /** How often every controller reconciles all its primaries again (unless it sets its own); unset: never. */
  resyncPeriodMs?: number;
  /** Restart and watchdog settings for every informer; the informer's defaults otherwise. */
  informers?: InformerTuning;
  /** Unset: no election, this replica always leads. */
  leaderElection?: ManagerLeaderElection;
  probes: { host: string; port: number };
  health: HealthThresholds;
}

export interface InformerSelectors<T extends KubernetesObject = KubernetesObject> {
  labelSelector?: string;
  fieldSelector?: string;
  /**
   * Trims what the cache keeps of each object (see InformerOptions.transform).
   * Everyone sharing the informer gets the trimmed objects, so the first to
   * ask decides; a second ask with a different transform is refused.
   */
  transform?: (object: T) => void;
}

/** Work beside the controllers: a LISTEN connection, a periodic sweep. */
export interface Runnable {
  name: string;
  /** true: runs only while this replica leads, started once the controllers are; false: on every replica. */
  needLeaderElection: boolean;
  /** Begins the work and returns; signal aborts when the manager stops. A rejection stops the manager (exit code 1). */
  start(signal: AbortSignal): void | Promise<void>;
  /** Ends the work; the manager waits for it. */
  stop(): void | Promise<void>;
}

/** Resolves to a problem (why we are not ready) or undefined when fine. */
export type ReadinessCheck = () => Promise<string | undefined>;

/** A readiness check that takes longer than this counts as a problem (kubelet stopped waiting long ago). */
const READINESS_CHECK_TIMEOUT_MS = 5_000;

export class Manager {
  readonly name: string;
  /** Resolves with the exit code once the manager has stopped. */
  readonly done: Promise<number>;
  private readonly options: ManagerOptions;
  private readonly logger: Logger;
  private readonly informers = new Map<string, MultiNamespaceInformer>();
  private readonly transforms = new Map<string, ((object: never) => void) | undefined>();
  private readonly controllers: Controller[] = [];
  private readonly runnables: Runnable[] = [];
  private readonly started = new Set<Controller | Runnable>();
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly handlers = new Map<string, JsonHandler>();
  /** Aborted when the manager stops: runnables' signal. */
  private readonly stopping = new AbortController();
  private resolveDone!: (exitCode: number) => void;
  private state: 'new' | 'running' | 'stopping' = 'new';
  private leading = false;
  private elector: LeaderElector | undefined;
  private probeServer: ProbeServer | undefined;
  private healthTimer: NodeJS.Timeout | undefined;

  constructor(options: ManagerOptions) {
    const { name, health } = options;
    if (!name) throw new Error('a manager needs a name');
    if (!(health.unreadyAfterMs > 0)) {
      throw new Error(`manager ${name}: health.unreadyAfterMs must be positive, got ${health.unreadyAfterMs}`);
    }
    if (!(health.exitAfterMs > health.unreadyAfterMs)) {
      throw new Error(
        `manager ${name}: health.exitAfterMs (${health.exitAfterMs}) must exceed health.unreadyAfterMs (${health.unreadyAfterMs}), so /readyz fails before the process exits`,
      );
    }
    this.name = name;
    this.options = options;
    this.logger = options.logger.child({ manager: name });
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /**
   * The shared informer for a resource and selectors, across the manager's
   * namespaces: asking again returns the same one, so controllers reading the
   * same kind share one cache and one watch per namespace.
   */
  informer<T extends KubernetesObject = KubernetesObject>(
    resource: ResourceType,
    selectors: InformerSelectors<T> = {},
  ): MultiNamespaceInformer<T> {
    const { labelSelector, fieldSelector, transform } = selectors;
    const key = JSON.stringify([resource.group, resource.version, resource.plural, labelSelector, fieldSelector]);
    let informer = this.informers.get(key);
    if (!informer) {
      informer = new MultiNamespaceInformer<T>(this.options.client, this.options.namespaces, {
        resource,
        labelSelector,
        fieldSelector,
        ...(transform ? { transform } : {}),
        logger: this.options.logger,
        registry: this.options.registry,
        ...this.options.informers,
      }) as unknown as MultiNamespaceInformer;
      this.informers.set(key, informer);
      this.transforms.set(key, transform);
      if (this.state === 'running') informer.start();
    } else if (this.transforms.get(key) !== transform) {
      throw new Error(
        `manager ${this.name}: the informer for ${resourceName(resource)} is already shared with another transform`,
      );
    }
    return informer as unknown as MultiNamespaceInformer<T>;
  }

  /** A controller run only while this replica leads; logger, registry and resync come from the manager. */
  addController(options: ControllerOptions): Controller {
    if (this.controllers.some((c) => c.name === options.name)) {
      throw new Error(`manager ${this.name} already has a controller named ${options.name}`);
    }
    const controller = new Controller({
      logger: this.options.logger,
      registry: this.options.registry,
      resyncPeriodMs: this.options.resyncPeriodMs,
      ...options,
    });
    this.controllers.push(controller);
    if (this.leading && this.state === 'running') void this.startController(controller);
    return controller;
  }

  addRunnable(runnable: Runnable): void {
    this.runnables.push(runnable);
    if (this.state === 'running' && (!runnable.needLeaderElection || this.leading)) this.startRunnable(runnable);
  }

  /** Adds to /readyz: a problem it resolves to makes the probe fail, named by name. */
  addReadinessCheck(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) throw new Error(`manager ${this.name} already has a readiness check named ${name}`);
    this.checks.set(name, check);
  }

  /** Serves handler's result as JSON on the probe server at path (e.g. '/health'). */
  addHandler(path: string, handler: JsonHandler): void {
    if (!path.startsWith('/')) throw new Error(`handler path must start with '/', got ${path}`);
    if (PROBE_PATHS.includes(path) || this.handlers.has(path)) {
      throw new Error(`manager ${this.name} already serves ${path}`);
    }
    this.handlers.set(path, handler);
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The probe server's port once started (useful with port 0). */
  get probePort(): number | undefined {
    return this.probeServer?.port;
  }

  /**
   * Starts the probe server and the informers, then campaigns for the Lease
   * (or leads at once). Resolves once that is under way, not when leading;
   * rejects when the probe server cannot listen (the manager is stopped then).
   */
  async start(): Promise<void> {
    if (this.state !== 'new') throw new Error(`manager ${this.name} cannot start: it was already started or stopped`);
    this.state = 'running';
    try {
      this.probeServer = await startProbeServer({
        ...this.options.probes,
        registry: this.options.registry,
        readiness: () => this.readiness(),
        handlers: this.handlers,
      });
    } catch (error) {
      await this.stop(`probe server failed: ${errorMessage(error)}`, 1);
      throw error;
    }
    if (this.isStopping()) return;
    this.logger.info(
      { port: this.probeServer.port, namespaces: this.options.namespaces },
      `manager ${this.name} started`,
    );
    for (const informer of this.informers.values()) informer.start();
    const { exitAfterMs } = this.options.health;
    this.healthTimer = setInterval(() => this.checkInformers(), Math.max(50, Math.min(1_000, exitAfterMs / 10)));
    this.healthTimer.unref();
    for (const runnable of this.runnables) if (!runnable.needLeaderElection) this.startRunnable(runnable);
    const election = this.options.leaderElection;
    if (!election) {
      void this.lead();
      return;
    }
    this.elector = new LeaderElector({
      ...election,
      kc: election.kc ?? this.options.client.kc,
      logger: this.options.logger,
      registry: this.options.registry,
      onStartedLeading: () => this.lead(),
      onStoppedLeading: (why) => {
        this.leading = false;
        // 'Lost': another replica may be reconciling already. 'Released' comes from our own stop().
        if (why === 'Lost') void this.stop('lost the Lease', 1);
      },
      onNewLeader: (holder) => this.logger.info({ leader: holder }, 'leader observed'),
    });
    void this.elector.run().then(() => {
      // run() ends on stop() or a lost Lease; anything else left us a candidate that no longer campaigns.
      if (!this.isStopping()) void this.stop('leader election ended unexpectedly', 1);
    });
  }

  /**
   * Stops everything in order: controllers and leader runnables (no new work,
   * reconciles in flight finish), then the Lease, then other runnables,
   * informers and the probe server. Calling it again returns the same promise
   * and keeps the first exit code.
   */
  stop(reason: string, exitCode = 0): Promise<number> {
    if (this.state === 'stopping') return this.done;
    const wasRunning = this.state === 'running';
    this.state = 'stopping';
    this.stopping.abort();
    void this.shutDown(reason, exitCode, wasRunning);
    return this.done;
  }

  private isStopping(): boolean {
    return this.state === 'stopping';
  }

  private async shutDown(reason: string, exitCode: number, wasRunning: boolean): Promise<void> {
    const log = exitCode === 0 ? this.logger.info.bind(this.logger) : this.logger.error.bind(this.logger);
    log({ reason, exitCode }, `manager ${this.name} stopping: ${reason}`);
    clearInterval(this.healthTimer);
    const leaderWork = [...this.started].filter((s) => s instanceof Controller || s.needLeaderElection);
    await Promise.all(leaderWork.map((s) => this.stopOne(s)));
    this.leading = false;
    await this.elector?.stop();
    await Promise.all([...this.started].map((s) => this.stopOne(s)));
    await Promise.all([...this.informers.values()].map((informer) => informer.stop()));
    await this.probeServer?.close();
    if (wasRunning) log({ exitCode }, `manager ${this.name} stopped`);
    this.resolveDone(exitCode);
  }

  private async stopOne(item: Controller | Runnable): Promise<void> {
    if (!this.started.delete(item)) return;
    try {
      await item.stop();
    } catch (error) {
      this.logger.error({ err: error }, `stopping ${item.name} failed: ${errorMessage(error)}`);
    }
  }

  /** Called once this replica leads: the controllers first (their caches synced), then leader runnables. */
  private async lead(): Promise<void> {
    if (this.isStopping()) return;
    this.leading = true;
    this.logger.info(`manager ${this.name} leading: starting ${this.controllers.length} controller(s)`);
    const ok = await Promise.all(this.controllers.map((controller) => this.startController(controller)));
    if (this.isStopping() || ok.includes(false)) return;
    for (const runnable of this.runnables) if (runnable.needLeaderElection) this.startRunnable(runnable);
  }

  private async startController(controller: Controller): Promise<boolean> {
    this.started.add(controller);
    try {
      await controller.start();
      return true;
    } catch (error) {
      if (!this.isStopping())
        void this.stop(`controller ${controller.name} failed to start: ${errorMessage(error)}`, 1);
      return false;
    }
  }

  private startRunnable(runnable: Runnable): void {
    this.started.add(runnable);
    Promise.resolve()
      .then(() => runnable.start(this.stopping.signal))
      .catch((error: unknown) => {
        if (!this.isStopping()) void this.stop(`${runnable.name} failed to start: ${errorMessage(error)}`, 1);
      });
  }

  private readouts(): InformerReadout[] {
    return [...this.informers.values()].flatMap((informer) => informer.readouts());
  }

  private checkInformers(): void {
    const { exitReason } = informerHealth(this.readouts(), new Date(), this.options.health);
    if (exitReason) void this.stop(exitReason, 1);
  }

  private async readiness(): Promise<string[]> {
    const { problems } = informerHealth(this.readouts(), new Date(), this.options.health);
    const checked = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          const problem = await withTimeout(check(), READINESS_CHECK_TIMEOUT_MS);
          return problem === undefined ? undefined : `${name}: ${problem}`;
        } catch (error) {
          return `${name}: ${errorMessage(error)}`;
        }
      }),
    );
    return [...problems, ...checked.filter((p) => p !== undefined)];
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
