// JSON for jsonb columns. Postgres' jsonb cannot hold the NUL character
// (\u0000), which JSON and Kubernetes allow in strings: it is written as the
// six characters \u0000 instead, so one odd string never fails a whole write.
export function postgresJSON(value: unknown): string {
  return JSON.stringify(value ?? null, (_key, v: unknown) =>
    typeof v === 'string' ? v.replaceAll('\u0000', '\\u0000') : v,
  );
}
