// API calls through one KubeConfig reuse kept-alive connections instead of a
// TLS handshake per call.
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import * as k8s from '@kubernetes/client-node';
import { reuseConnections } from '../src/kube/connections.ts';
import { localCluster } from '../../hack/test/harness.ts';

async function connectionsFor(kc: k8s.KubeConfig, calls: number): Promise<number> {
  let connected = 0;
  const count = () => connected++;
  diagnostics.subscribe('undici:client:connected', count);
  try {
    const core = kc.makeApiClient(k8s.CoreV1Api);
    for (let i = 0; i < calls; i++) await core.listNamespace({ limit: 1 });
  } finally {
    diagnostics.unsubscribe('undici:client:connected', count);
  }
  return connected;
}

describe('kube connections', function () {
  this.timeout(5 * 60_000);

  it('opens one connection for many sequential calls, where plain client-node opens one per call', async () => {
    const { kubeconfigPath } = await localCluster();
    const load = () => {
      const kc = new k8s.KubeConfig();
      kc.loadFromFile(kubeconfigPath);
      return kc;
    };
    const plain = await connectionsFor(load(), 10);
    const reused = await connectionsFor(reuseConnections(load()), 10);
    assert.equal(
      plain,
      10,
      'client-node as shipped: a new connection per call (if this changes, reuseConnections may go)',
    );
    assert.equal(reused, 1);
  });
});
