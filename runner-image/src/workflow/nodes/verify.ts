// verify: runs spec.verify.command in the worktree with its timeout. A failure
// goes back to implement with the output as feedback, until
// spec.verify.maxAttempts; then the story has Failed.
import type { VerifyOutcome } from '../../agents/agent.ts';
import { runCommand } from '../../commands/run-command.ts';
import type { WorkflowDeps } from '../deps.ts';
import type { State, Update } from '../state.ts';

export function verifyStep(deps: WorkflowDeps) {
  return async (state: State, visit: number): Promise<Update> => {
    const spec = deps.spec.verify;
    const attempt = state.verifyAttempts + 1;
    let outcome: VerifyOutcome;
    if (!spec) {
      outcome = {
        configured: false,
        passed: true,
        command: [],
        exitCode: null,
        timedOut: false,
        durationMs: 0,
        output: '',
        attempt,
      };
    } else {
      const result = await runCommand(spec.command, {
        cwd: deps.worktree.path,
        timeoutMs: spec.timeoutSeconds * 1000,
        maxOutputBytes: 32 * 1024,
      });
      outcome = {
        configured: true,
        passed: result.exitCode === 0 && !result.timedOut,
        command: spec.command,
        exitCode: result.exitCode,
        timedOut: result.timedOut,
        durationMs: result.durationMs,
        output: result.output,
        attempt,
      };
    }
    const status = !outcome.configured
      ? 'not configured'
      : outcome.passed
        ? 'passed'
        : outcome.timedOut
          ? `timed out after ${spec!.timeoutSeconds} s`
          : `failed with exit code ${outcome.exitCode}`;
    await deps.events.record({
      type: 'VerifyResult',
      step: 'verify',
      message: `${outcome.command.join(' ') || 'verification'} ${status} (attempt ${attempt})`,
      data: { ...outcome, output: outcome.output.slice(-8000), round: state.round },
      key: `verify:${visit}`,
    });
    if (outcome.passed) return { verification: outcome, verifyAttempts: attempt, feedback: null };
    const maxAttempts = spec!.maxAttempts;
    if (attempt >= maxAttempts) {
      return {
        verification: outcome,
        verifyAttempts: attempt,
        result: {
          outcome: 'Failed',
          reason: 'VerificationFailed',
          message: `\`${outcome.command.join(' ')}\` ${status} on all ${maxAttempts} attempt(s) (spec.verify.maxAttempts)`,
        },
      };
    }
    return {
      verification: outcome,
      verifyAttempts: attempt,
      feedback: `\`${outcome.command.join(' ')}\` ${status} on attempt ${attempt} of ${maxAttempts}. Its output ends with:\n\n${outcome.output.slice(-6000)}`,
    };
  };
}
