export const usd = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : `$${value.toFixed(value < 10 ? 2 : 0)}`;

export function elapsed(from: string | null, to: string | null = null, now = Date.now()): string {
  if (!from) return '—';
  const ms = (to ? Date.parse(to) : now) - Date.parse(from);
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

export const ACTIVE_PHASES = new Set(['Admitted', 'Running', 'Pausing', 'WaitingForHuman']);
export const FINISHED_PHASES = new Set(['Succeeded', 'Failed', 'Aborted']);

export const phaseColor = (phase: string | null) =>
  phase === 'Succeeded'
    ? 'success'
    : phase === 'Failed' || phase === 'Aborted'
      ? 'error'
      : phase === 'WaitingForHuman'
        ? 'warning'
        : phase === 'Running' || phase === 'Admitted'
          ? 'info'
          : 'default';
