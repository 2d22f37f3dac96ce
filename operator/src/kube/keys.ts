// Work-queue keys: `namespace/name` for namespaced objects, `name` for
// cluster-scoped ones, as client-go's MetaNamespaceKeyFunc makes them.
import type { KubernetesObject } from '@kubernetes/client-node';

export interface ObjectName {
  namespace?: string;
  name: string;
}

export function objectKey(obj: KubernetesObject): string {
  const name = obj.metadata?.name;
  if (!name) throw new Error(`cannot make a key for a ${obj.kind ?? 'object'} without metadata.name`);
  return obj.metadata?.namespace ? `${obj.metadata.namespace}/${name}` : name;
}

export function keyOf({ namespace, name }: ObjectName): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function parseKey(key: string): ObjectName {
  const parts = key.split('/');
  if (parts.length === 1 && parts[0]) return { name: parts[0] };
  if (parts.length === 2 && parts[0] && parts[1]) return { namespace: parts[0], name: parts[1] };
  throw new Error(`invalid key "${key}": expected "namespace/name" or "name"`);
}
