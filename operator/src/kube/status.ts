// Writes a whole status through the status subresource, optimistically: a
// JSON patch that first tests metadata.resourceVersion, so a status computed
// from a stale cache is refused (422) rather than overwriting a newer one,
// and fields that no longer apply disappear (the status is replaced, not
// merged). Going through /status means spec and metadata cannot be touched
// and metadata.generation does not move. Each kind has one status writer:
// its controller.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { keyOf } from './keys.ts';
import { resourceName, resourcePath, type ResourceType } from './resource.ts';
import { statusCode, type RestClient } from './rest.ts';

/**
 * Replaces object's status with status, only over the resourceVersion the
 * object has. Rejects with the API server's 409/422 when it moved on (see
 * isStaleWrite); resolves to the updated object.
 */
export async function writeStatus<T extends KubernetesObject>(
  client: RestClient,
  type: ResourceType,
  object: KubernetesObject,
  status: unknown,
): Promise<T> {
  const { namespace, name, resourceVersion } = object.metadata ?? {};
  if (!name || !resourceVersion) {
    throw new Error(`cannot write the status of a ${type.kind} without a name and a resourceVersion`);
  }
  const path = resourcePath(type, { ...(namespace ? { namespace } : {}), name, subresource: 'status' });
  try {
    return await client.jsonPatch<T>(path, [
      { op: 'test', path: '/metadata/resourceVersion', value: resourceVersion },
      { op: 'add', path: '/status', value: status },
    ]);
  } catch (error) {
    const wrapped = new Error(
      `failed to write the status of ${resourceName(type)} ${keyOf({ namespace, name })}: ${(error as Error).message}`,
      { cause: error },
    );
    throw Object.assign(wrapped, { statusCode: statusCode(error) });
  }
}

/** The object moved on since it was read (a newer resourceVersion): read it again and recompute. */
export const isStaleWrite = (error: unknown): boolean => statusCode(error) === 409 || statusCode(error) === 422;

/**
 * Whether two statuses are the same as JSON (key order and fields set to
 * undefined do not matter): a reconciler skips writing an equal one. Compare
 * times as the strings the API server returns (see kubeTime).
 */
export function statusEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(asJson(a), asJson(b));
}

const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
