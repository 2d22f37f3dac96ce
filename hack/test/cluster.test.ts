// The local node runs real containers from images built here: pods finish,
// fail, get SIGTERM with their grace period, and claim volumes that bind and
// are reclaimed.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import * as k8s from '@kubernetes/client-node';
import { eventually, localCluster, testNamespace } from './harness.ts';

const RUNNER_IMAGE = process.env.NIGHTSHIFT_RUNNER_IMAGE ?? 'nightshift.local/runner:dev';

describe('the local cluster', function () {
  let core: k8s.CoreV1Api;
  let namespace: string;
  let kubectl: Awaited<ReturnType<typeof localCluster>>['kubectl'];

  before(async function () {
    this.timeout(30 * 60_000);
    const cluster = await localCluster();
    kubectl = cluster.kubectl;
    core = cluster.kc.makeApiClient(k8s.CoreV1Api);
    namespace = await testNamespace('cluster');
  });

  const pod = (name: string, script: string, extra: Partial<k8s.V1PodSpec> = {}): k8s.V1Pod => ({
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      containers: [
        { name: 'main', image: RUNNER_IMAGE, imagePullPolicy: 'IfNotPresent', command: ['node', '-e', script] },
      ],
      ...extra,
    },
  });

  const phaseOf = async (name: string) => (await core.readNamespacedPod({ name, namespace })).status?.phase;

  it('has one Ready node', async () => {
    const nodes = (await core.listNode()).items;
    assert.equal(nodes.length, 1);
    const ready = nodes[0]!.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
  });

  it('runs a pod from the locally built image to Succeeded, as a non-root user with git and Node 24', async () => {
    await core.createNamespacedPod({
      namespace,
      body: pod(
        'succeeds',
        "const v = require('child_process').execSync('git --version').toString().trim(); console.log(process.version, process.getuid(), v)",
      ),
    });
    await eventually('pod succeeds to be Succeeded', async () => (await phaseOf('succeeds')) === 'Succeeded');
    const logs = await kubectl(['logs', '-n', namespace, 'succeeds']);
    assert.match(logs, /^v24\.\d+\.\d+ 10001 git version \d/);
  });

  it('runs a failing pod to Failed with its exit code', async () => {
    await core.createNamespacedPod({ namespace, body: pod('fails', 'process.exit(3)') });
    await eventually('pod fails to be Failed', async () => (await phaseOf('fails')) === 'Failed');
    const terminated = (await core.readNamespacedPod({ name: 'fails', namespace })).status?.containerStatuses?.[0]
      ?.state?.terminated;
    assert.equal(terminated?.exitCode, 3);
  });

  it('sends SIGTERM on delete and waits out the grace period', async () => {
    const script = `
      console.log('ready');
      process.on('SIGTERM', () => { console.log('got SIGTERM'); setTimeout(() => { console.log('clean exit'); process.exit(0); }, 2000); });
      setInterval(() => {}, 1000);`;
    await core.createNamespacedPod({ namespace, body: pod('graceful', script, { terminationGracePeriodSeconds: 30 }) });
    await eventually('pod graceful to be Running', async () => (await phaseOf('graceful')) === 'Running');
    await eventually('the container to log ready', async () =>
      (await kubectl(['logs', '-n', namespace, 'graceful'])).includes('ready'),
    );
    const started = Date.now();
    await core.deleteNamespacedPod({ name: 'graceful', namespace });
    // While terminating, the container handles SIGTERM and finishes its cleanup.
    const logs = await eventually('the container to finish its cleanup', async () => {
      const text = await kubectl(['logs', '-n', namespace, 'graceful']).catch(() => '');
      return text.includes('clean exit') ? text : undefined;
    });
    assert.match(logs, /got SIGTERM\nclean exit/);
    await eventually('pod graceful to be gone', async () => {
      try {
        await core.readNamespacedPod({ name: 'graceful', namespace });
        return false;
      } catch {
        return true;
      }
    });
    assert.ok(Date.now() - started >= 2000, 'the pod lived through its 2 s of cleanup');
  });

  it('binds a PersistentVolumeClaim on the default StorageClass and reclaims it', async () => {
    await core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: 'work' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } },
      },
    });
    await core.createNamespacedPod({
      namespace,
      body: pod('writer', "require('fs').writeFileSync('/work/hello', 'hi'); console.log('wrote')", {
        volumes: [{ name: 'work', persistentVolumeClaim: { claimName: 'work' } }],
        containers: [
          {
            name: 'main',
            image: RUNNER_IMAGE,
            imagePullPolicy: 'IfNotPresent',
            command: ['node', '-e', "require('fs').writeFileSync('/work/hello', 'hi')"],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        // The in-tree hostpath provisioner makes root-owned 0750 folders and
        // ignores fsGroup, so this writer runs as root.
        securityContext: { runAsUser: 0 },
      }),
    });
    await eventually('pod writer to be Succeeded', async () => (await phaseOf('writer')) === 'Succeeded');
    const claim = await core.readNamespacedPersistentVolumeClaim({ name: 'work', namespace });
    assert.equal(claim.status?.phase, 'Bound');
    const volume = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
    const hostPath = volume.spec?.hostPath?.path;
    assert.ok(hostPath && existsSync(`${hostPath}/hello`), 'the file written in the pod is on the node');

    await core.deleteNamespacedPod({ name: 'writer', namespace });
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'work', namespace });
    await eventually(
      'the volume to be reclaimed',
      async () => {
        try {
          await core.readPersistentVolume({ name: volume.metadata!.name! });
          return false;
        } catch {
          return !existsSync(hostPath);
        }
      },
      { timeoutMs: 180_000 },
    ); // behind any reclaim backlog the controller-manager still works off
  });
});
