// An identical alert (same fingerprint: kind and what it is about) is not
// repeated to a recipient within their repeat period.
export interface Delivered {
  fingerprint: string;
  decidedAt: Date;
}

/** The earlier delivery this item would repeat, if it falls within repeatSeconds of it. */
export function repeatOf(
  item: { fingerprint: string },
  delivered: Delivered[],
  repeatSeconds: number,
  now: Date,
): Delivered | undefined {
  const since = now.getTime() - repeatSeconds * 1000;
  return delivered.find((d) => d.fingerprint === item.fingerprint && d.decidedAt.getTime() > since);
}
