import assert from 'node:assert/strict';
import { pod, session } from './plan-fixtures.ts';
import { unrecordedEnd } from './attempt-end.ts';

describe('unrecordedEnd', () => {
  it('is nothing while the pod lives, or once the attempt has an outcome', () => {
    assert.equal(unrecordedEnd(session(), [pod()]), undefined);
    assert.equal(unrecordedEnd(session({ endedAt: new Date() }), []), undefined);
    assert.equal(unrecordedEnd(session({ podUid: null }), []), undefined, 'the pod was never made: not an end');
  });

  it('a vanished pod (or a different one under the same name) is PodMissing', () => {
    assert.equal(unrecordedEnd(session(), [])?.reason, 'PodMissing');
    assert.equal(unrecordedEnd(session(), [pod({ uid: 'another' })])?.reason, 'PodMissing');
  });

  it("takes the cause from the runner's recorded error first", () => {
    const end = unrecordedEnd(session({ error: "fatal: repository 'http://forge/x.git/' not found" }), [
      pod({ phase: 'Failed', exitCode: 1, reason: 'Error', message: '{"error":"something else"}' }),
    ]);
    assert.equal(end?.message, "pod s-1 failed (exit code 1): fatal: repository 'http://forge/x.git/' not found");
    assert.equal(end?.exitCode, 1);
  });

  it("then from the runner's termination message, then from the log tail Kubernetes kept", () => {
    const fromMessage = unrecordedEnd(session(), [
      pod({
        phase: 'Failed',
        exitCode: 1,
        reason: 'Error',
        message: '{"error":"git clone failed: timeout","session":"s"}',
      }),
    ]);
    assert.equal(fromMessage?.message, 'pod s-1 failed (exit code 1): git clone failed: timeout');
    const fromLogs = unrecordedEnd(session(), [
      pod({ phase: 'Failed', exitCode: 137, reason: 'OOMKilled', message: 'last log line\n' }),
    ]);
    assert.equal(fromLogs?.reason, 'OOMKilled');
    assert.equal(fromLogs?.message, 'pod s-1 failed (OOMKilled, exit code 137): last log line');
  });

  it('an exit 0 without an outcome is NoOutcome', () => {
    assert.equal(unrecordedEnd(session(), [pod({ phase: 'Succeeded', exitCode: 0 })])?.reason, 'NoOutcome');
  });
});
