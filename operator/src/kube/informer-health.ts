// Which informers make the process unready, and which make it exit. An
// informer that cannot list or watch serves an ever older cache while every
// reconcile looks fine, so after unreadyAfterMs /readyz says so, and after
// exitAfterMs the process exits: a restart gets fresh credentials and
// connections (an expired certificate, a stuck proxy) where retrying did not.
import type { InformerHealth } from './informer.ts';

/** One informer (one namespace of a shared set) as the probes see it. */
export interface InformerReadout extends InformerHealth {
  description: string;
  synced: boolean;
}

export interface HealthThresholds {
  /** Failing to list or watch for longer than this makes /readyz fail. */
  unreadyAfterMs: number;
  /** Failing for longer than this stops the process (exit code 1). */
  exitAfterMs: number;
}

export interface InformerVerdict {
  /** One line per informer that makes us unready (failing too long, or not synced yet). */
  problems: string[];
  /** Set when an informer has failed past exitAfterMs: why the process should exit. */
  exitReason?: string;
}

export function informerHealth(readouts: InformerReadout[], now: Date, thresholds: HealthThresholds): InformerVerdict {
  const problems: string[] = [];
  let longest: { readout: InformerReadout; failingMs: number } | undefined;
  for (const readout of readouts) {
    const failingMs = readout.failingSince ? now.getTime() - readout.failingSince.getTime() : 0;
    if (readout.failingSince && failingMs > thresholds.unreadyAfterMs) {
      problems.push(`${failingFor(readout, failingMs)}${readout.synced ? '' : ' (cache not synced)'}`);
    } else if (!readout.synced) {
      problems.push(`cache not synced: ${readout.description}`);
    }
    if (failingMs > thresholds.exitAfterMs && (!longest || failingMs > longest.failingMs)) {
      longest = { readout, failingMs };
    }
  }
  if (!longest) return { problems };
  const exitReason = `${failingFor(longest.readout, longest.failingMs)}; that is longer than ${seconds(thresholds.exitAfterMs)}, so exit and start afresh`;
  return { problems, exitReason };
}

function failingFor(readout: InformerReadout, failingMs: number): string {
  const since = readout.failingSince!.toISOString();
  const cause = readout.lastError ? `: ${readout.lastError}` : '';
  return `informer for ${readout.description} has failed to list or watch for ${seconds(failingMs)} (since ${since})${cause}`;
}

const seconds = (ms: number) => `${Math.round(ms / 100) / 10} s`;
