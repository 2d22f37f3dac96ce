// Writes status through the status subresource with a JSON merge patch. No
// resourceVersion is sent, so the write never conflicts, and fields the
// patch leaves out are kept: it sets what it names and nothing else. Arrays
// (conditions) are replaced whole, so only one writer may own each of them.
// Going through /status also means spec and metadata cannot be touched and
// metadata.generation does not move.
import type { KubernetesObject } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { keyOf, type ObjectName } from './keys.ts';
import { resourceName, resourcePath, type ResourceType } from './resource.ts';
import type { RestClient } from './rest.ts';

/** Merges status into the object's status; a field set to null is removed. Returns the updated object. */
export async function patchStatus<T extends KubernetesObject>(
  client: RestClient,
  type: ResourceType,
  { namespace, name }: ObjectName,
  status: Record<string, unknown>,
): Promise<T> {
  try {
    return await client.mergePatch<T>(resourcePath(type, { namespace, name, subresource: 'status' }), { status });
  } catch (error) {
    throw new Error(
      `failed to write the status of ${resourceName(type)} ${keyOf({ namespace, name })}: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/**
 * Whether two statuses are the same as JSON (key order and fields set to
 * undefined do not matter): a reconciler skips writing an equal one. Compare
 * times as the strings the API server returns (see kubeTime).
 */
export function statusEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(asJson(a), asJson(b));
}

const asJson = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
