// What the route handlers need: the cluster as the informers see it, the
// records, the controls (every write), and the change feed's position.
import type pg from 'pg';
import type { ClusterView } from '../cluster/cluster.ts';
import type { Controls } from '../controls/apply.ts';
import { ApiError } from '../api/problem.ts';

export interface ApiDeps {
  cluster: ClusterView;
  pool: pg.Pool;
  controls: Controls;
  feed: { readonly head: number };
  now?: () => Date;
}

/** 404 for a namespace this server does not serve (it cannot see it, so neither can the caller). */
export function servedNamespace(deps: ApiDeps, namespace: string, what: string): void {
  if (!deps.cluster.serves(namespace)) throw ApiError.notFound(`${what} (namespace ${namespace} is not served here)`);
}

export const namespacesFilter = (deps: ApiDeps, namespace?: string): readonly string[] | undefined =>
  namespace ? [namespace] : deps.cluster.namespaces.length ? deps.cluster.namespaces : undefined;
