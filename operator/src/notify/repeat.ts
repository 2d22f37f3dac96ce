// An identical alert (same fingerprint: kind and what it is about) is not
// repeated to a recipient within their repeat period.
export interface Delivered {
  fingerprint: string;
  decidedAt: Date;
}

/** The latest delivery of each fingerprint, for repeatOf. */
export function latestByFingerprint(delivered: Delivered[]): Map<string, Date> {
  const latest = new Map<string, Date>();
  for (const d of delivered) {
    const seen = latest.get(d.fingerprint);
    if (!seen || d.decidedAt > seen) latest.set(d.fingerprint, d.decidedAt);
  }
  return latest;
}

/** When the earlier delivery this item would repeat was made, if it falls within repeatSeconds. */
export function repeatOf(
  item: { fingerprint: string },
  latest: ReadonlyMap<string, Date>,
  repeatSeconds: number,
  now: Date,
): Date | undefined {
  const at = latest.get(item.fingerprint);
  return at && at.getTime() > now.getTime() - repeatSeconds * 1000 ? at : undefined;
}
