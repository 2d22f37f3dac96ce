// Kubernetes Events (events.k8s.io/v1; `kubectl describe` lists them) about
// the objects the operator manages. A repeat of the same event on the same
// object (type, reason, action and note) bumps the series count of the
// Event already written instead of creating another one, as client-go's
// recorder does. Recording is best-effort: a failed write is logged, never thrown.
import {
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1MicroTime,
  type EventsV1Event,
  type KubeConfig,
  type KubernetesObject,
  type V1ObjectReference,
} from '@kubernetes/client-node';
import { pino, type Logger } from 'pino';
import { objectKey } from './keys.ts';
import { isNotFound } from './rest.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  type: EventType;
  /** A CamelCase word a script can match, e.g. PodCreated. */
  reason: string;
  /** Human-readable detail (at most 1 kB is kept). */
  note: string;
  /** What the operator did or failed to do, e.g. CreatePod; defaults to the reason. */
  action?: string;
  related?: KubernetesObject;
}

export interface EventRecorderOptions {
  kc: KubeConfig;
  /** This replica, e.g. its pod name: the reportingInstance. */
  instance: string;
  /** The reportingController. */
  controller?: string;
  logger?: Logger;
  /** How many distinct recent events are remembered for de-duplication. */
  cacheSize?: number;
}

type ResolvedEvent = EventInput & { action: string };

interface Series {
  name: string;
  namespace: string;
  count: number;
}

const reasonPattern = /^[A-Z][A-Za-z0-9]*$/;

export class EventRecorder {
  private readonly api: EventsV1Api;
  private readonly instance: string;
  private readonly controller: string;
  private readonly logger: Logger;
  private readonly cacheSize: number;
  /** Recent events by identity, least recently used first. */
  private readonly recent = new Map<string, Series>();
  /** One write at a time per identity, so repeats count up in order. */
  private readonly writing = new Map<string, Promise<void>>();
  private sequence = 0;

  constructor({
    kc,
    instance,
    controller = 'nightshift.dev/operator',
    logger,
    cacheSize = 4096,
  }: EventRecorderOptions) {
    this.api = kc.makeApiClient(EventsV1Api);
    this.instance = instance;
    this.controller = controller;
    this.logger = logger ?? pino({ level: 'silent' });
    this.cacheSize = cacheSize;
  }

  normal(regarding: KubernetesObject, reason: string, note: string): Promise<void> {
    return this.record(regarding, { type: 'Normal', reason, note });
  }

  warning(regarding: KubernetesObject, reason: string, note: string): Promise<void> {
    return this.record(regarding, { type: 'Warning', reason, note });
  }

  /** Resolves once written (or the failure logged); rejects only for a reason that is not CamelCase. */
  record(regarding: KubernetesObject, input: EventInput): Promise<void> {
    if (!reasonPattern.test(input.reason)) {
      return Promise.reject(new Error(`event reason "${input.reason}" must be a CamelCase word`));
    }
    const event = { ...input, note: input.note.slice(0, 1024), action: input.action ?? input.reason };
    const identity = JSON.stringify([
      regarding.metadata?.uid ?? objectKey(regarding),
      event.type,
      event.reason,
      event.action,
      event.note,
    ]);
    const previous = this.writing.get(identity) ?? Promise.resolve();
    const write = previous.then(() =>
      this.write(identity, regarding, event).catch((error: unknown) =>
        this.logger.warn(
          { err: error, reason: event.reason, object: objectKey(regarding) },
          `failed to record event ${event.reason} on ${regarding.kind} ${objectKey(regarding)}`,
        ),
      ),
    );
    this.writing.set(identity, write);
    void write.then(() => {
      if (this.writing.get(identity) === write) this.writing.delete(identity);
    });
    return write;
  }

  private async write(identity: string, regarding: KubernetesObject, event: ResolvedEvent): Promise<void> {
    const series = this.recent.get(identity);
    if (series) {
      this.remember(identity, series);
      try {
        await this.api.patchNamespacedEvent(
          {
            name: series.name,
            namespace: series.namespace,
            body: { series: { count: series.count + 1, lastObservedTime: new V1MicroTime() } },
          },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        series.count++;
        return;
      } catch (error) {
        // Events expire (an hour by default): start a new one.
        if (!isNotFound(error)) throw error;
        this.recent.delete(identity);
      }
    }
    const namespace = regarding.metadata?.namespace ?? 'default';
    const name = `${(regarding.metadata?.name ?? 'object').slice(0, 200)}.${Date.now().toString(16)}${(this.sequence++).toString(16)}`;
    const body: EventsV1Event = {
      metadata: { name, namespace },
      eventTime: new V1MicroTime(),
      type: event.type,
      reason: event.reason,
      action: event.action,
      note: event.note,
      regarding: reference(regarding),
      related: event.related ? reference(event.related) : undefined,
      reportingController: this.controller,
      reportingInstance: this.instance,
    };
    await this.api.createNamespacedEvent({ namespace, body });
    this.remember(identity, { name, namespace, count: 1 });
  }

  private remember(identity: string, series: Series): void {
    this.recent.delete(identity);
    this.recent.set(identity, series);
    if (this.recent.size > this.cacheSize) this.recent.delete(this.recent.keys().next().value as string);
  }
}

function reference(obj: KubernetesObject): V1ObjectReference {
  return {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    name: obj.metadata?.name,
    namespace: obj.metadata?.namespace,
    uid: obj.metadata?.uid,
  };
}
