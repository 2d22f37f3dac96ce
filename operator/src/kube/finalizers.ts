// Adds and removes one finalizer with a JSON patch whose `test` operation
// makes it conditional on the list it was computed from. Unrelated
// concurrent changes (status, labels) do not conflict; a concurrent change to
// the finalizers makes the test fail (422), and we re-read and try again,
// so another controller's finalizer is never dropped.
import type { KubernetesObject } from '@kubernetes/client-node';
import { objectKey } from './keys.ts';
import { resourceName, resourcePath, type ResourceType } from './resource.ts';
import { isNotFound, statusCode, type JsonPatchOperation, type RestClient } from './rest.ts';

const ATTEMPTS = 5;

export function hasFinalizer(obj: KubernetesObject, finalizer: string): boolean {
  return obj.metadata?.finalizers?.includes(finalizer) ?? false;
}

/** Adds finalizer unless present; returns the object as stored. */
export async function addFinalizer<T extends KubernetesObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  finalizer: string,
): Promise<T> {
  const updated = await patchFinalizers(client, type, obj, `add finalizer ${finalizer} to`, (current) => {
    const finalizers = current.metadata?.finalizers;
    if (finalizers?.includes(finalizer)) return undefined;
    if (finalizers === undefined) {
      // No list to test against: require the exact version we looked at instead.
      return [
        { op: 'test', path: '/metadata/resourceVersion', value: current.metadata?.resourceVersion },
        { op: 'add', path: '/metadata/finalizers', value: [finalizer] },
      ];
    }
    return [
      { op: 'test', path: '/metadata/finalizers', value: finalizers },
      { op: 'add', path: '/metadata/finalizers/-', value: finalizer },
    ];
  });
  if (!updated) throw new Error(`cannot add finalizer ${finalizer} to ${describe(type, obj)}: it no longer exists`);
  return updated;
}

/** Removes finalizer if present; returns the object as stored, or undefined once it is gone. */
export async function removeFinalizer<T extends KubernetesObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  finalizer: string,
): Promise<T | undefined> {
  return patchFinalizers(client, type, obj, `remove finalizer ${finalizer} from`, (current) => {
    const index = current.metadata?.finalizers?.indexOf(finalizer) ?? -1;
    if (index < 0) return undefined;
    return [
      { op: 'test', path: `/metadata/finalizers/${index}`, value: finalizer },
      { op: 'remove', path: `/metadata/finalizers/${index}` },
    ];
  });
}

async function patchFinalizers<T extends KubernetesObject>(
  client: RestClient,
  type: ResourceType,
  obj: T,
  what: string,
  operationsFor: (current: T) => JsonPatchOperation[] | undefined,
): Promise<T | undefined> {
  const path = resourcePath(type, { namespace: obj.metadata?.namespace, name: obj.metadata?.name });
  let current: T | undefined = obj;
  for (let attempt = 1; ; attempt++) {
    const operations = operationsFor(current);
    if (!operations) return current;
    try {
      return await client.jsonPatch<T>(path, operations);
    } catch (error) {
      const code = statusCode(error);
      if (isNotFound(error)) return undefined;
      if ((code !== 422 && code !== 409) || attempt >= ATTEMPTS) {
        throw new Error(`failed to ${what} ${describe(type, obj)}: ${(error as Error).message}`, { cause: error });
      }
      // Our view was stale (or the patch is invalid): re-read and decide again.
      const previousVersion: string | undefined = current.metadata?.resourceVersion;
      current = await client.get<T>(path).catch((readError: unknown) => {
        if (isNotFound(readError)) return undefined;
        throw readError;
      });
      if (!current) return undefined;
      if (current.metadata?.resourceVersion === previousVersion) {
        // Nothing changed, so the patch itself was refused (e.g. a new finalizer on an object being deleted).
        throw new Error(`failed to ${what} ${describe(type, obj)}: ${(error as Error).message}`, { cause: error });
      }
    }
  }
}

const describe = (type: ResourceType, obj: KubernetesObject) => `${resourceName(type)} ${objectKey(obj)}`;
