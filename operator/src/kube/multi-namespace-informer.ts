// One informer over several namespaces: a SupervisedInformer per namespace
// (RBAC may grant only those), read and subscribed to as one, the way
// controller-runtime's multi-namespace cache is. With no namespaces it holds
// a single informer for all of them. A controller takes it as `for` or in
// `watches` like any other Informer.
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  createInformer,
  type Informer,
  type InformerHandler,
  type InformerOptions,
  type SupervisedInformer,
} from './informer.ts';
import type { InformerReadout } from './informer-health.ts';
import { resourceName } from './resource.ts';
import type { RestClient } from './rest.ts';

export class MultiNamespaceInformer<T extends KubernetesObject = KubernetesObject> implements Informer<T> {
  readonly description: string;
  /** The per-namespace informers, in the order of the namespaces given. */
  readonly members: readonly SupervisedInformer<T>[];
  private readonly byNamespace = new Map<string, SupervisedInformer<T>>();

  /** namespaces: [] watches all namespaces with one informer. */
  constructor(client: RestClient, namespaces: readonly string[], options: Omit<InformerOptions<T>, 'namespace'>) {
    if (new Set(namespaces).size !== namespaces.length) {
      throw new Error(`namespaces for ${resourceName(options.resource)} repeat one: ${namespaces.join(', ')}`);
    }
    if (namespaces.length === 0) {
      this.members = [createInformer<T>(client, options)];
    } else {
      this.members = namespaces.map((namespace) => {
        const informer = createInformer<T>(client, { ...options, namespace });
        this.byNamespace.set(namespace, informer);
        return informer;
      });
    }
    this.description = this.members.length === 1 ? this.members[0]!.description : describe(namespaces, options);
  }

  start(): void {
    for (const informer of this.members) informer.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.members.map((informer) => informer.stop()));
  }

  hasSynced(): boolean {
    return this.members.every((informer) => informer.hasSynced());
  }

  async waitForSync(signal?: AbortSignal): Promise<void> {
    await Promise.all(this.members.map((informer) => informer.waitForSync(signal)));
  }

  list(namespace?: string): T[] {
    if (namespace !== undefined && this.byNamespace.size > 0) return this.byNamespace.get(namespace)?.list() ?? [];
    return this.members.flatMap((informer) => informer.list(namespace));
  }

  get(namespace: string | undefined, name: string): T | undefined {
    if (namespace !== undefined && this.byNamespace.size > 0)
      return this.byNamespace.get(namespace)?.get(namespace, name);
    for (const informer of this.members) {
      const found = informer.get(namespace, name);
      if (found) return found;
    }
    return undefined;
  }

  subscribe(handler: InformerHandler<T>): () => void {
    const unsubscribes = this.members.map((informer) => informer.subscribe(handler));
    return () => {
      for (const unsubscribe of unsubscribes) unsubscribe();
    };
  }

  /** Each member's health, for the probes. */
  readouts(): InformerReadout[] {
    return this.members.map((informer) => ({
      description: informer.description,
      synced: informer.hasSynced(),
      ...informer.health(),
    }));
  }
}

function describe<T extends KubernetesObject>(
  namespaces: readonly string[],
  options: Omit<InformerOptions<T>, 'namespace'>,
): string {
  return [
    resourceName(options.resource),
    `in ${namespaces.join(', ')}`,
    options.labelSelector ? `with labels ${options.labelSelector}` : '',
    options.fieldSelector ? `with fields ${options.fieldSelector}` : '',
  ]
    .filter(Boolean)
    .join(' ');
}
