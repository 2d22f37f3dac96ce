// Short, readable messages for API errors: client-node's ApiException prints
// the whole response (headers and an escaped body); a log line needs the code
// and the API server's own message.
export function apiErrorMessage(error: unknown): string {
  const e = error as { code?: number; body?: unknown; message?: string };
  if (typeof e?.code === 'number' && e.body !== undefined) {
    let body = e.body;
    if (typeof body === 'string') {
      try {
        body = JSON.parse(body);
      } catch {
        // not JSON: keep the text
      }
    }
    const status = body as { message?: string; reason?: string };
    if (status && typeof status === 'object' && status.message) {
      return `${e.code}${status.reason ? ` ${status.reason}` : ''}: ${status.message}`;
    }
    if (typeof body === 'string' && body) return `${e.code}: ${body.slice(0, 300)}`;
    return `HTTP ${e.code}`;
  }
  return e?.message ?? String(error);
}
