// The login token lives in localStorage (per browser, survives reloads); the
// API client and the WebSocket read it from here.
const KEY = 'nightshift.token';

export function readToken(): string | null {
  return localStorage.getItem(KEY);
}

export function saveToken(token: string): void {
  localStorage.setItem(KEY, token.trim());
}

export function clearToken(): void {
  localStorage.removeItem(KEY);
}
