// The WebSocket's state for the connection indicator: a tiny external store
// (UI state, not server state), read with useSyncExternalStore.
import { useSyncExternalStore } from 'react';

export type ConnectionState = 'connecting' | 'live' | 'offline';

let state: ConnectionState = 'connecting';
const listeners = new Set<() => void>();

export function setConnectionState(next: ConnectionState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
