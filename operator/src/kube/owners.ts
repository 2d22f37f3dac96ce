// Owner references, and the mappings a controller uses to turn a change of a
// secondary object (a pod, a volume) into the key of the primary that owns it.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import { keyOf } from './keys.ts';

/** A reference making owner the controller of another object: garbage collection deletes it with its owner. */
export function ownerReference(owner: KubernetesObject): V1OwnerReference {
  const { apiVersion, kind } = owner;
  const name = owner.metadata?.name;
  const uid = owner.metadata?.uid;
  if (!apiVersion || !kind || !name || !uid) {
    throw new Error(
      `cannot reference ${kind ?? 'an object'} ${name ?? ''} as owner: apiVersion, kind, metadata.name and metadata.uid are required`,
    );
  }
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

/** The owner reference marked controller: true, if any. */
export function controllerOf(obj: KubernetesObject): V1OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((ref) => ref.controller === true);
}

export function isControlledBy(obj: KubernetesObject, owner: KubernetesObject): boolean {
  const uid = owner.metadata?.uid;
  return uid !== undefined && controllerOf(obj)?.uid === uid;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/**
 * Maps an object to the key of its controlling owner of the given kind (any
 * version of the group), in the object's namespace: owners cannot span namespaces.
 */
export function keysFromController({ group, kind }: { group: string; kind: string }) {
  return (obj: KubernetesObject): string[] => {
    const ref = controllerOf(obj);
    if (!ref || ref.kind !== kind || groupOf(ref.apiVersion) !== group) return [];
    return [keyOf({ namespace: obj.metadata?.namespace, name: ref.name })];
  };
}

/** Maps an object to the primary named in one of its labels, in the object's namespace. */
export function keysFromLabel(label: string) {
  return (obj: KubernetesObject): string[] => {
    const name = obj.metadata?.labels?.[label];
    return name ? [keyOf({ namespace: obj.metadata?.namespace, name })] : [];
  };
}
