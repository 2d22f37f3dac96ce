// One line for an error, causes included: fetch reports a refused connection
// as "fetch failed" and keeps the reason (ECONNREFUSED, a certificate error)
// in error.cause, which is the part an operator needs to read.
export function errorMessage(error: unknown): string {
  const parts: string[] = [];
  for (let current = error, depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const message = current instanceof Error ? current.message : String(current);
    if (message && !parts.includes(message)) parts.push(message);
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(': ') || 'unknown error';
}
