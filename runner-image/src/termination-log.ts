// A short JSON summary in the container's termination message file
// (/dev/termination-log), when the file exists: kubectl describe and the
// operator see how the pod ended without reading logs. Kubernetes keeps 4 KiB.
import { existsSync, writeFileSync } from 'node:fs';

export function writeTerminationLog(path: string, summary: Record<string, unknown>): void {
  if (!existsSync(path)) return;
  let text = JSON.stringify(summary);
  if (text.length > 4000) text = JSON.stringify({ ...summary, detail: undefined, truncated: true }).slice(0, 4000);
  try {
    writeFileSync(path, text);
  } catch {
    // nothing else to tell anyone
  }
}
