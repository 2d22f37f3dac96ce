// Which API resource a piece of machinery works on, and the REST paths for it.
// Group '' is the core API (/api/v1), anything else lives under /apis.

export interface ResourceType {
  /** API group; '' for the core group (pods, persistentvolumeclaims, ...). */
  group: string;
  version: string;
  /** Lower-case plural as in the URL, e.g. 'storyruns'. */
  plural: string;
  /** Kind of the objects, filled into list items (the API server omits it there). */
  kind: string;
  /** Defaults to true. */
  namespaced?: boolean;
}

export const podResource: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const persistentVolumeClaimResource: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
};

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** A short human name for logs and errors, e.g. `storyruns.nightshift.dev`. */
export function resourceName(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

/**
 * `/apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/<subresource>]]`.
 * Without a namespace the path spans all namespaces (list and watch).
 */
export function resourcePath(
  type: ResourceType,
  { namespace, name, subresource }: { namespace?: string; name?: string; subresource?: string } = {},
): string {
  const root = type.group ? `/apis/${type.group}/${type.version}` : `/api/${type.version}`;
  const scope = namespace && type.namespaced !== false ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  let path = `${root}${scope}/${type.plural}`;
  if (name !== undefined) path += `/${encodeURIComponent(name)}`;
  if (subresource !== undefined) {
    if (name === undefined) throw new Error(`subresource ${subresource} of ${resourceName(type)} needs a name`);
    path += `/${subresource}`;
  }
  return path;
}
