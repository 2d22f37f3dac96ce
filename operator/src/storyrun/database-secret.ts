// The Secret that hands story pods the database URL, when the operator manages
// it (runner.databaseURL): written once per namespace per operator process.
import { HttpMethod } from '@kubernetes/client-node';
import { isConflict, resourcePath, type ResourceType, type RestClient } from '../kube/index.ts';
import { databaseSecret, type StoryPodSettings } from './resources.ts';

const secretResource: ResourceType = { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' };

export function databaseSecretKeeper(client: RestClient, config: Pick<StoryPodSettings, 'runner'>) {
  const ensured = new Map<string, Promise<void>>();
  const ensure = async (namespace: string) => {
    const secret = databaseSecret(namespace, config);
    if (!secret) return;
    await client
      .request(HttpMethod.POST, resourcePath(secretResource, { namespace }), { body: secret })
      .catch(async (error) => {
        if (!isConflict(error)) throw error;
        const path = resourcePath(secretResource, { namespace, name: secret.metadata!.name! });
        await client.request(HttpMethod.PUT, path, { body: secret });
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
