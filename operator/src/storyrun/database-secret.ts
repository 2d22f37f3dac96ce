// The Secret that hands story pods the database URL, when the operator manages
// it (runner.databaseURL): written once per namespace per operator process.
import type * as k8s from '@kubernetes/client-node';
import type { OperatorConfig } from '../config/schema.ts';
import { databaseSecret } from './resources.ts';

export function databaseSecretKeeper(core: k8s.CoreV1Api, config: OperatorConfig) {
  const ensured = new Map<string, Promise<void>>();
  const ensure = async (namespace: string) => {
    const secret = databaseSecret(namespace, config);
    if (!secret) return;
    await core.createNamespacedSecret({ namespace, body: secret }).catch(async (error: { code?: number }) => {
      if (error.code !== 409) throw error;
      await core.replaceNamespacedSecret({ namespace, name: secret.metadata!.name!, body: secret });
    });
  };
  return (namespace: string): Promise<void> => {
    let done = ensured.get(namespace);
    if (!done) {
      done = ensure(namespace).catch((error: unknown) => {
        ensured.delete(namespace); // try again next time
        throw error;
      });
      ensured.set(namespace, done);
    }
    return done;
  };
}
