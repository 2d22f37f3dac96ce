// The dashboard's only writes to the cluster: spec patches (and the budget
// confirmation annotation) over the resourceVersion the person saw, and new
// StoryRuns. A patch carries metadata.resourceVersion, so the API server
// refuses it with 409 when the object changed since (optimistic concurrency);
// the patch is computed from the object read fresh at that version, never
// from a cache that may lag.
import { HttpMethod, type KubernetesObject } from '@kubernetes/client-node';
import { isNotFound, resourcePath, statusCode, type ResourceType, type RestClient } from '@nightshift/operator/kube';
import { ApiError } from '../api/problem.ts';

export class ClusterWriter {
  private readonly client: RestClient;

  constructor(client: RestClient) {
    this.client = client;
  }

  /** The object as the API server has it now, checked to be at the version the person saw. */
  async readAt(
    type: ResourceType,
    namespace: string,
    name: string,
    resourceVersion: string,
  ): Promise<KubernetesObject> {
    const object = await this.client
      .get<KubernetesObject>(resourcePath(type, { namespace, name }))
      .catch((error: unknown) => {
        if (isNotFound(error)) throw ApiError.notFound(`${type.kind} ${namespace}/${name}`);
        throw upstream(error, `read ${type.kind} ${namespace}/${name}`);
      });
    const current = object.metadata?.resourceVersion;
    if (current !== resourceVersion) throw staleVersion(type, namespace, name, resourceVersion, current);
    return object;
  }

  /** A JSON merge patch at resourceVersion; 409 when the object moved on. */
  async patch(
    type: ResourceType,
    namespace: string,
    name: string,
    resourceVersion: string,
    patch: { spec?: unknown; metadata?: { annotations?: Record<string, string | null> } },
  ): Promise<KubernetesObject> {
    const body = { ...patch, metadata: { ...patch.metadata, resourceVersion } };
    return this.client
      .mergePatch<KubernetesObject>(resourcePath(type, { namespace, name }), body)
      .catch((error: unknown) => {
        if (statusCode(error) === 409) throw staleVersion(type, namespace, name, resourceVersion, undefined);
        if (isNotFound(error)) throw ApiError.notFound(`${type.kind} ${namespace}/${name}`);
        throw upstream(error, `patch ${type.kind} ${namespace}/${name}`);
      });
  }

  async create(type: ResourceType, namespace: string, object: KubernetesObject): Promise<KubernetesObject> {
    return this.client
      .request<KubernetesObject>(HttpMethod.POST, resourcePath(type, { namespace }), {
        body: object,
        query: { fieldManager: this.client.fieldManager },
      })
      .catch((error: unknown) => {
        if (statusCode(error) === 409) {
          throw ApiError.conflict(`${type.kind} ${namespace}/${object.metadata?.name} exists already`);
        }
        throw upstream(error, `create ${type.kind} in ${namespace}`);
      });
  }
}

function staleVersion(type: ResourceType, ns: string, name: string, asked: string, current: string | undefined) {
  return ApiError.conflict(
    `${type.kind} ${ns}/${name} changed since resourceVersion ${asked}${current ? ` (it is at ${current})` : ''}: read it again and retry`,
  );
}

/** The API server refused (422: its validation, e.g. CEL) or failed; a 4xx it gives is the person's to fix. */
function upstream(error: unknown, what: string): ApiError {
  const code = statusCode(error);
  const message = (error as Error).message;
  if (code === 422 || code === 400) return new ApiError(422, `the API server refused to ${what}: ${message}`);
  if (code === 403) return new ApiError(403, `the dashboard is not allowed to ${what} (RBAC): ${message}`);
  return new ApiError(502, `failed to ${what}: ${message}`);
}
