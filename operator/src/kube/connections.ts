// client-node 2.x builds a new undici Agent for every request, so every API
// call opens a fresh TLS connection: a handshake on both sides each time,
// which dominated the operator's reconcile time under load. This keeps the
// first Agent and hands it to every later request of the same KubeConfig, so
// connections are kept alive and reused. (Client certificates are read once;
// a process that must follow rotated certificates builds a new KubeConfig.)
import type { KubeConfig } from '@kubernetes/client-node';

type Dispatcher = { close?: () => Promise<void> };
type Context = { getDispatcher(): Dispatcher | undefined; setDispatcher(dispatcher: Dispatcher): void };

export function reuseConnections(kc: KubeConfig): KubeConfig {
  const apply = kc.applySecurityAuthentication.bind(kc);
  let shared: Dispatcher | undefined;
  kc.applySecurityAuthentication = async (context) => {
    await apply(context);
    const ctx = context as unknown as Context;
    const fresh = ctx.getDispatcher();
    if (!fresh) return;
    if (!shared) {
      shared = fresh;
      return;
    }
    if (fresh !== shared) {
      ctx.setDispatcher(shared);
      void fresh.close?.().catch(() => {});
    }
  };
  return kc;
}
