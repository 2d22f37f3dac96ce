// API writes counted by the API server itself (apiserver_request_total by
// verb and resource), so a benchmark can say how many writes one story costs
// whoever made them: the operator, the scheduler, the volume binder.
import type { LocalCluster } from '../../test/harness.ts';

const WRITE_VERBS = new Set(['POST', 'PUT', 'PATCH', 'DELETE', 'DELETECOLLECTION', 'APPLY']);
const line = /^apiserver_request_total\{([^}]*)\} (\S+)$/gm;

/** Cumulative writes by "VERB resource[/subresource]". */
export type WriteCounts = Map<string, number>;

export async function apiWrites(cluster: LocalCluster): Promise<WriteCounts> {
  const text = await cluster.kubectl(['get', '--raw', '/metrics']);
  const counts: WriteCounts = new Map();
  for (const [, labels, value] of text.matchAll(line)) {
    const label = (name: string) => new RegExp(`(?:^|,)${name}="([^"]*)"`).exec(labels!)?.[1] ?? '';
    const verb = label('verb');
    if (!WRITE_VERBS.has(verb) || label('dry_run')) continue;
    const subresource = label('subresource');
    const key = `${verb} ${label('resource')}${subresource ? `/${subresource}` : ''}`;
    counts.set(key, (counts.get(key) ?? 0) + Number(value));
  }
  return counts;
}

/** What was written between two readings, per story, largest first (leases and other background noise included). */
export function writesPerStory(before: WriteCounts, after: WriteCounts, stories: number): [string, number][] {
  const delta: [string, number][] = [];
  for (const [key, value] of after) {
    const written = value - (before.get(key) ?? 0);
    if (written > 0) delta.push([key, written / stories]);
  }
  return delta.sort((a, b) => b[1] - a[1]);
}

export const totalPerStory = (delta: [string, number][]) => delta.reduce((sum, [, n]) => sum + n, 0);

export const describeWrites = (delta: [string, number][]) =>
  `${totalPerStory(delta).toFixed(2)} per story (${delta
    .filter(([, n]) => n >= 0.05)
    .map(([key, n]) => `${key} ${n.toFixed(2)}`)
    .join(', ')})`;
