// The supervisor with real (tiny) processes standing in for the operator.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OperatorSupervisor } from './supervise.ts';

const fast = { maxExits: 3, windowMs: 60_000, backoffBaseMs: 10, backoffMaxMs: 10 };

describe('OperatorSupervisor', () => {
  let dir: string;
  let logFile: string;
  let said: string[];
  let started: ChildProcess[];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'supervise-test-'));
    logFile = join(dir, 'operator.log');
    said = [];
    started = [];
  });
  afterEach(() => {
    for (const child of started) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  /** A stand-in operator running script, logging to logFile; resolves once it printed "up". */
  function supervisor(script: string, policy = fast) {
    let up: () => void = () => {};
    const isUp = () => new Promise<void>((resolve) => (up = resolve));
    const supervisor = new OperatorSupervisor({
      spawn: () => {
        const log = openSync(logFile, 'a');
        const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', log, 'pipe'] });
        closeSync(log);
        child.stderr!.on('data', (chunk: Buffer) => chunk.toString().includes('up') && up());
        started.push(child);
        return child;
      },
      logFile,
      say: (message) => said.push(message),
      policy,
    });
    return { supervisor, isUp };
  }

  it('starts an operator that keeps dying again until it gives up, saying how it died and why it gave up', async () => {
    const { supervisor: s } = supervisor('console.log("boom: no database"); process.exit(3)');
    s.start();
    const reason = await s.gaveUp;
    assert.equal(reason, 'the operator exited 3 times within 60 s (the last: exit code 3)');
    assert.equal(started.length, 3);
    assert.equal(s.restarts, 2);
    assert.match(said[0]!, /^the operator exited unexpectedly \(exit code 3\); the end of .*operator\.log:\n {4}boom/);
    assert.match(said[1]!, /^restarting the operator (in 0\.01 s )?\(restart 1\); the forge keeps running$/);
    assert.equal(said.at(-1), `not restarting the operator: ${reason}`);
  });

  it('stops the operator with SIGTERM, waits for it, and does not start it again', async () => {
    const { supervisor: s, isUp } = supervisor(
      'process.on("SIGTERM", () => setTimeout(() => process.exit(0), 300)); console.error("up"); setInterval(() => {}, 1000)',
    );
    const up = isUp();
    s.start();
    await up;
    const before = Date.now();
    await s.stop(10_000);
    assert.ok(Date.now() - before >= 290, 'waited for the graceful shutdown');
    assert.deepEqual([started[0]!.exitCode, started[0]!.signalCode], [0, null]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(started.length, 1, 'not started again');
    assert.deepEqual(said, []);
    assert.equal(s.pid, undefined);
  });

  it('kills an operator that does not stop in time', async () => {
    const { supervisor: s, isUp } = supervisor(
      'process.on("SIGTERM", () => {}); console.error("up"); setInterval(() => {}, 1000)',
    );
    const up = isUp();
    s.start();
    await up;
    await s.stop(200);
    assert.equal(started[0]!.signalCode, 'SIGKILL');
    assert.deepEqual(said, [`the operator (pid ${started[0]!.pid}) did not stop within 0.2 s; killing it`]);
  });
});
