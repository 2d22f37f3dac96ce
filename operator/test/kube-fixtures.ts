// Shared by the kube-*.test.ts integration tests: a Widget custom resource as
// the test subject, and a TCP proxy in front of the API server that a test can cut
// to break a client's connections for real.
import { createServer, connect, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import { eventually, localCluster } from '../../hack/test/harness.ts';
import { RestClient, resourcePath, type ResourceType } from '../src/kube/index.ts';

// A custom resource of our own as the test subject. StoryRuns would do, but
// an operator under test elsewhere in the shared cluster may reconcile every
// StoryRun (adding finalizers, writing status), which would make these tests
// depend on it. Nobody reconciles a Widget.
export const widgetResource: ResourceType = {
  group: 'kube-test.nightshift.dev',
  version: 'v1',
  plural: 'widgets',
  kind: 'Widget',
};

const conditionSchema = {
  type: 'object',
  required: ['type', 'status', 'reason', 'lastTransitionTime'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    reason: { type: 'string', pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$' },
    message: { type: 'string' },
    lastTransitionTime: { type: 'string', format: 'date-time' },
    observedGeneration: { type: 'integer' },
  },
};

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.kube-test.nightshift.dev', labels: { 'nightshift.dev/test': 'true' } },
  spec: {
    group: 'kube-test.nightshift.dev',
    scope: 'Namespaced',
    names: { kind: 'Widget', listKind: 'WidgetList', plural: 'widgets', singular: 'widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { priority: { type: 'integer' }, note: { type: 'string' } },
              },
              status: {
                type: 'object',
                properties: {
                  phase: { type: 'string' },
                  message: { type: 'string' },
                  observedGeneration: { type: 'integer' },
                  conditions: {
                    type: 'array',
                    items: conditionSchema,
                    'x-kubernetes-list-type': 'map',
                    'x-kubernetes-list-map-keys': ['type'],
                  },
                },
              },
            },
          },
        },
      },
    ],
  },
};

let crdApplied: Promise<unknown> | undefined;

/** The cluster with the Widget CRD applied (once per run) and a client for it. */
export async function clusterWithWidgets() {
  const cluster = await localCluster();
  const client = new RestClient(cluster.kc, { fieldManager: 'kube-test' });
  crdApplied ??= cluster
    .kubectl(['apply', '--server-side', '--force-conflicts', '-f', '-'], { input: JSON.stringify(widgetCrd) })
    .then(() =>
      cluster.kubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd/widgets.kube-test.nightshift.dev']),
    )
    // A CRD just created can be Established while lists of it still fail for a moment;
    // a test counting requests would then see the informer's retry.
    .then(() =>
      eventually('the API server to serve widgets', () => client.get(resourcePath(widgetResource)).then(() => true)),
    );
  await crdApplied;
  return { ...cluster, client };
}

export interface Widget extends k8s.KubernetesObject {
  spec: { priority?: number; note?: string };
  status?: Record<string, unknown>;
}

export function widget(name: string, extra: { labels?: Record<string, string>; priority?: number } = {}): Widget {
  return {
    apiVersion: 'kube-test.nightshift.dev/v1',
    kind: 'Widget',
    metadata: { name, labels: extra.labels },
    spec: { priority: extra.priority ?? 0 },
  };
}

/** Writes Widgets in one namespace straight to the API server. */
export function widgetsIn(client: RestClient, namespace: string) {
  const collection = resourcePath(widgetResource, { namespace });
  const item = (name: string) => resourcePath(widgetResource, { namespace, name });
  return {
    collection,
    item,
    create: (name: string, extra?: Parameters<typeof widget>[1]) =>
      client.request<Widget>(k8s.HttpMethod.POST, collection, { body: widget(name, extra) }),
    read: (name: string) => client.get<Widget>(item(name)),
    patch: (name: string, patch: Record<string, unknown>) => client.mergePatch<Widget>(item(name), patch),
    setPriority: (name: string, priority: number) => client.mergePatch<Widget>(item(name), { spec: { priority } }),
    remove: (name: string) => client.request<unknown>(k8s.HttpMethod.DELETE, item(name)),
    list: async () => (await client.get<{ items: Widget[] }>(collection)).items,
  };
}

/** A raw TCP proxy to the API server; TLS passes through, so certificates still match 127.0.0.1. */
export class ApiServerProxy {
  readonly port: number;
  private server: Server;
  private readonly target: URL;
  private readonly sockets = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  private frozen = false;

  private constructor(server: Server, port: number, target: URL) {
    this.server = server;
    this.port = port;
    this.target = target;
  }

  static async start(kc: k8s.KubeConfig): Promise<ApiServerProxy> {
    const target = new URL(kc.getCurrentCluster()!.server);
    const holder: { proxy?: ApiServerProxy } = {};
    const server = createServer((socket) => holder.proxy!.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    holder.proxy = new ApiServerProxy(server, (server.address() as { port: number }).port, target);
    return holder.proxy;
  }

  /** A copy of kc whose cluster is reached through this proxy. */
  kubeConfig(kc: k8s.KubeConfig): k8s.KubeConfig {
    const proxied = new k8s.KubeConfig();
    proxied.loadFromOptions({
      clusters: kc.clusters.map((cluster) => ({ ...cluster, server: `https://127.0.0.1:${this.port}` })),
      users: kc.users,
      contexts: kc.contexts,
      currentContext: kc.currentContext,
    });
    return proxied;
  }

  /** Resets every open connection and refuses new ones until restore(). */
  async cut(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    await closed;
  }

  async restore(): Promise<void> {
    const server = createServer((socket) => this.pipe(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', resolve);
    });
    this.server = server;
  }

  /** Stops passing bytes either way, keeping every connection open (and accepting new ones): a hung network. */
  freeze(): void {
    this.frozen = true;
    for (const [client, upstream] of this.pairs) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  thaw(): void {
    this.frozen = false;
    for (const [client, upstream] of this.pairs) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
  }

  async close(): Promise<void> {
    await this.cut().catch(() => {});
  }

  private pipe(client: Socket): void {
    const upstream = connect(Number(this.target.port), this.target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    for (const socket of pair) {
      this.sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        this.sockets.delete(socket);
        this.pairs.delete(pair);
        client.destroy();
        upstream.destroy();
      });
    }
    if (this.frozen) return;
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** A copy of kc that records the URL of every request made with it (lists and watches alike). */
export function recordingKubeConfig(kc: k8s.KubeConfig): { kc: k8s.KubeConfig; urls: URL[] } {
  const copy = new k8s.KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters,
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  const urls: URL[] = [];
  const apply = copy.applySecurityAuthentication.bind(copy);
  copy.applySecurityAuthentication = (context) => {
    urls.push(new URL(context.getUrl()));
    return apply(context);
  };
  return { kc: copy, urls };
}
