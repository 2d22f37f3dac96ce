// Who changed a Budget, from its managedFields: the manager of the latest
// write to its spec (kubectl-patch, kubectl-edit, the dashboard's field
// manager), and who set the confirmation; the dashboard's audit annotation
// (nightshift.dev/change-reason, "<user>: <reason>") says more when present. Pure.
import { ANNOTATIONS } from '@nightshift/crds/contract';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  time?: string | Date;
  fieldsV1?: Record<string, unknown>;
}

function touches(entry: ManagedFieldsEntry, path: string[]): boolean {
  let node: unknown = entry.fieldsV1;
  for (const part of path) {
    if (node === null || typeof node !== 'object' || !(part in node)) return false;
    node = (node as Record<string, unknown>)[part];
  }
  return true;
}

function latest(entries: ManagedFieldsEntry[], path: string[]): string | undefined {
  return entries
    .filter((e) => touches(e, path) && e.manager)
    .sort((a, b) => new Date(b.time ?? 0).getTime() - new Date(a.time ?? 0).getTime())[0]?.manager;
}

export function changedBy(
  managedFields: ManagedFieldsEntry[] | undefined,
  annotations: Record<string, string> | undefined,
): { by: string | undefined; reason: string | undefined } {
  const entries = managedFields ?? [];
  const spec = latest(entries, ['f:spec']);
  const confirmed = latest(entries, ['f:metadata', 'f:annotations', `f:${ANNOTATIONS.confirmIncrease}`]);
  const by = [spec, confirmed && confirmed !== spec ? `confirmed by ${confirmed}` : undefined]
    .filter(Boolean)
    .join('; ');
  return { by: by || undefined, reason: annotations?.[ANNOTATIONS.changeReason] };
}
