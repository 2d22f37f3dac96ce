// Running git for the runner: the token travels in an http.extraHeader scoped
// to the repository URL, passed through the environment (GIT_CONFIG_*), so it
// is never written to .git/config, a URL or a log. Git runs with the same
// scrubbed environment as model-written code and with hooks disabled, since
// the worktree's contents are not trusted.
import { spawn } from 'node:child_process';
import { commandEnvironment, killGroup } from '../commands/run-command.ts';

/**
 * How long one git command may run before it is killed, with everything it
 * started: generous, only so that a hung remote or a stuck lock cannot hold a
 * step until the pod is killed.
 */
export const GIT_TIMEOUT_MS = { network: 10 * 60_000, local: 2 * 60_000 };
const NETWORK_COMMANDS = new Set(['clone', 'fetch', 'pull', 'push', 'ls-remote']);
/** More output than this (a diff of a huge generated file) fails the command instead of the runner's memory. */
const MAX_OUTPUT_BYTES = 256 * 1024 * 1024;

export interface GitAuth {
  remoteURL: string;
  token: string | undefined;
}

export class GitError extends Error {
  override name = 'GitError';
  readonly stderr: string;
  readonly exitCode: number | null;
  constructor(message: string, stderr: string, exitCode: number | null) {
    super(message);
    this.stderr = stderr;
    this.exitCode = exitCode;
  }
}

/** Userinfo in a URL is a credential too: never show it. */
export function redactURL(text: string): string {
  return text.replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

function authConfig(auth: GitAuth | undefined): Record<string, string> {
  if (!auth?.token || !/^https?:\/\//.test(auth.remoteURL)) return {};
  const basic = Buffer.from(`x-access-token:${auth.token}`).toString('base64');
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: `http.${auth.remoteURL}.extraHeader`,
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
  };
}

export interface GitRunOptions {
  /** Commands that reach the remote get the token. */
  auth?: GitAuth;
  env?: Record<string, string>;
  /** Exit codes that are answers, not failures (e.g. 1 for diff --quiet). */
  okCodes?: number[];
  /** GIT_TIMEOUT_MS.network or .local by the subcommand, unless given. */
  timeoutMs?: number;
}

export interface GitResult {
  stdout: string;
  exitCode: number;
}

export function runGit(cwd: string, args: string[], options: GitRunOptions = {}): Promise<GitResult> {
  const env = commandEnvironment({
    GIT_TERMINAL_PROMPT: '0',
    GIT_OPTIONAL_LOCKS: '0',
    ...authConfig(options.auth),
    ...options.env,
  });
  const fullArgs = ['-c', 'core.hooksPath=/dev/null', '-c', 'advice.detachedHead=false', ...args];
  const timeoutMs =
    options.timeoutMs ?? (NETWORK_COMMANDS.has(args[0] ?? '') ? GIT_TIMEOUT_MS.network : GIT_TIMEOUT_MS.local);
  const command = `git ${redactURL(args.join(' '))}`;
  return new Promise((resolve, reject) => {
    // its own process group, so a timeout also kills the remote helpers and ssh it started
    const child = spawn('git', fullArgs, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    let stopped: string | undefined;
    const stop = (why: string) => {
      stopped ??= why;
      killGroup(child.pid);
    };
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > MAX_OUTPUT_BYTES) stop(`printed more than ${MAX_OUTPUT_BYTES} bytes and was killed`);
      else into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    const timer = setTimeout(() => stop(`timed out after ${timeoutMs / 1000} s and was killed`), timeoutMs);
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    child.on('error', (error) =>
      settle(() => reject(new GitError(`${command} could not start: ${error.message}`, '', null))),
    );
    child.on('close', (code, signal) =>
      settle(() => {
        if (!stopped && code !== null && (code === 0 || options.okCodes?.includes(code))) {
          resolve({ stdout: Buffer.concat(stdout).toString('utf8'), exitCode: code });
          return;
        }
        const detail = redactURL(Buffer.concat(stderr).toString('utf8').trim());
        const what = stopped ?? `failed (${code === null ? `signal ${signal}` : `exit ${code}`})`;
        reject(new GitError(detail ? `${command} ${what}: ${detail}` : `${command} ${what}`, detail, code));
      }),
    );
  });
}
