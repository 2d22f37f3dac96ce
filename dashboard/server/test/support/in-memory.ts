// The dashboard app in memory (supertest), over a real migrated database and
// the local cluster's kubeconfig, with its manager not started: what the auth
// and validation tests need, without a process or informers.
import * as k8s from '@kubernetes/client-node';
import { Manager, RestClient } from '@nightshift/operator/kube';
import { createPool } from '@nightshift/operator/postgres';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { buildApp } from '../../src/app.ts';
import { Authenticator } from '../../src/auth/authenticate.ts';
import { createToken } from '../../src/auth/tokens.ts';
import { ClusterView } from '../../src/cluster/cluster.ts';
import { ClusterWriter } from '../../src/cluster/writer.ts';
import { Controls } from '../../src/controls/apply.ts';
import { auditLog } from '../../src/records/audit.ts';
import { localCluster, testDatabase } from '../../../../hack/test/harness.ts';

export async function inMemoryDashboard(options: { corsOrigins?: string[]; failuresPerMinute?: number } = {}) {
  const { kubeconfigPath } = await localCluster();
  const databaseURL = await testDatabase('dash_mem');
  const pool = createPool(databaseURL, { applicationName: 'test-dashboard', max: 5 });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const client = new RestClient(kc, { fieldManager: 'nightshift-dashboard' });
  const logger = pino({ level: 'silent' });
  const manager = new Manager({
    name: 'test-dashboard',
    client,
    namespaces: ['nowhere'],
    logger,
    registry: new Registry(),
    probes: { host: '127.0.0.1', port: 0 },
    health: { unreadyAfterMs: 30_000, exitAfterMs: 300_000 },
  });
  const cluster = new ClusterView(manager, ['nowhere'], logger);
  const authenticator = new Authenticator(pool, {
    failuresPerMinute: options.failuresPerMinute ?? 1000,
    onError: () => {},
  });
  const built = buildApp({
    deps: {
      cluster,
      pool,
      controls: new Controls({ writer: new ClusterWriter(client), audit: auditLog(pool), logger }),
      feed: { head: 0 },
    },
    authenticator,
    logger,
    corsOrigins: options.corsOrigins ?? [],
    trustProxy: false,
  });
  const token = async (name: string, scope: 'read' | 'write') =>
    (await createToken(pool, { name, scope, createdBy: 'test' })).token;
  return { ...built, pool, token, close: () => pool.end() };
}
