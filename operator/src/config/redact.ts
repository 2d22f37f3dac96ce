// The configuration as it may be recorded (daemon_runs.config) and logged:
// passwords in URLs hidden, and any value whose key names a secret replaced.
import { redactURL } from '../postgres/pool.ts';

export const REDACTED = '<redacted>';
const SECRET_KEY = /(password|passwd|secret|token|credential|api[-_]?key|private[-_]?key)/i;
const URL_WITH_CREDENTIALS = /^[a-z][a-z0-9+.-]*:\/\/[^/\s]*@/i;

export function redactConfig<T>(value: T): T {
  return redact(value, undefined) as T;
}

function redact(value: unknown, key: string | undefined): unknown {
  // Only values: an object under such a key (databaseSecret: {name, key}) says where a secret is, not what.
  if (
    key !== undefined &&
    SECRET_KEY.test(key) &&
    (typeof value === 'string' || typeof value === 'number') &&
    value !== ''
  ) {
    return REDACTED;
  }
  if (typeof value === 'string') return URL_WITH_CREDENTIALS.test(value) ? redactURL(value) : value;
  if (Array.isArray(value)) return value.map((item) => redact(item, undefined));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  }
  return value;
}
