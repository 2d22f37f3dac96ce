// What every integration test shares: the local cluster, a Postgres server,
// and a fresh namespace or database per test. Started (or reused) once per
// mocha run; see root-hooks.ts for the teardown.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import {
  createDatabase,
  ensureEmbeddedPostgres,
  migrate,
  type EmbeddedPostgresHandle,
} from '@nightshift/operator/postgres';

const exec = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLUSTER_SCRIPT = join(REPO_ROOT, 'hack', 'cluster');

export interface LocalCluster {
  kubeconfigPath: string;
  kubectlPath: string;
  kc: k8s.KubeConfig;
  /** Runs the cluster's own kubectl; rejects with its stderr on a non-zero exit. */
  kubectl(args: string[], options?: { input?: string }): Promise<string>;
}

let clusterPromise: Promise<LocalCluster> | undefined;

async function runStreaming(command: string, args: string[]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`)),
    );
  });
}

export function localCluster(): Promise<LocalCluster> {
  clusterPromise ??= (async () => {
    await runStreaming('bash', [CLUSTER_SCRIPT, 'up']);
    const env = (await exec('bash', [CLUSTER_SCRIPT, 'env'])).stdout;
    const kubeconfigPath = /KUBECONFIG=(\S+)/.exec(env)![1]!;
    const binDir = /PATH=([^:\s]+):/.exec(env)![1]!;
    const kubectlPath = join(binDir, 'kubectl');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const kubectl = (args: string[], options: { input?: string } = {}) =>
      new Promise<string>((resolve, reject) => {
        const child = execFile(
          kubectlPath,
          ['--kubeconfig', kubeconfigPath, ...args],
          { maxBuffer: 64 * 1024 * 1024 },
          (error, stdout, stderr) =>
            error ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || error.message}`)) : resolve(stdout),
        );
        if (options.input !== undefined) child.stdin!.end(options.input);
      });
    return { kubeconfigPath, kubectlPath, kc, kubectl };
  })();
  return clusterPromise;
}

/** Installs (or updates) the nightshift.dev CRDs and waits until the API server serves them. */
export async function installCRDs(): Promise<void> {
  const { kubectl } = await localCluster();
  const manifests = join(REPO_ROOT, 'crds', 'manifests');
  await kubectl(['apply', '--server-side', '--force-conflicts', '-f', manifests]);
  await kubectl(['wait', '--for=condition=Established', '--timeout=60s', '-f', manifests]);
}

const createdNamespaces: string[] = [];

/** A fresh namespace for one test, deleted at the end of the run. */
export async function testNamespace(prefix = 'test'): Promise<string> {
  const { kc } = await localCluster();
  const name = `${prefix}-${randomBytes(3).toString('hex')}`.toLowerCase();
  await kc
    .makeApiClient(k8s.CoreV1Api)
    .createNamespace({ body: { metadata: { name, labels: { 'nightshift.dev/test': 'true' } } } });
  createdNamespaces.push(name);
  return name;
}

let postgres: { handle: EmbeddedPostgresHandle; dataDir?: string } | undefined;
let postgresPromise: Promise<string> | undefined;

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** URL of the Postgres server for this run: NIGHTSHIFT_TEST_DATABASE_URL, or an embedded one. */
export function postgresServer(): Promise<string> {
  postgresPromise ??= (async () => {
    if (process.env.NIGHTSHIFT_TEST_DATABASE_URL) return process.env.NIGHTSHIFT_TEST_DATABASE_URL;
    const dataDir = mkdtempSync(join(tmpdir(), 'nightshift-test-pg-'));
    const handle = await ensureEmbeddedPostgres({ dataDir, port: await freePort() });
    postgres = { handle, dataDir };
    return handle.url;
  })();
  return postgresPromise;
}

/** A fresh, migrated database for one test. */
export async function testDatabase(prefix = 'test'): Promise<string> {
  const url = await createDatabase(await postgresServer(), `${prefix}_${randomBytes(4).toString('hex')}`);
  await migrate(url);
  return url;
}

export async function teardownHarness(): Promise<void> {
  if (clusterPromise && createdNamespaces.length > 0) {
    const { kubectl } = await clusterPromise;
    await kubectl(['delete', 'namespace', '--wait=false', '--ignore-not-found', ...createdNamespaces]).catch(() => {});
  }
  if (postgres) {
    await postgres.handle.stop();
    if (postgres.dataDir) rmSync(postgres.dataDir, { recursive: true, force: true });
  }
}

/** Polls until check returns a value (not undefined), or fails naming what it waited for. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  { timeoutMs = 60_000, intervalMs = 250 } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
