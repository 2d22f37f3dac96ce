// Running git for the runner: the token travels in an http.extraHeader scoped
// to the repository URL, passed through the environment (GIT_CONFIG_*), so it
// is never written to .git/config, a URL or a log. Git runs with the same
// scrubbed environment as model-written code and with hooks disabled, since
// the worktree's contents are not trusted.
import { execFile } from 'node:child_process';
import { commandEnvironment } from '../commands/run-command.ts';

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
  return new Promise((resolve, reject) => {
    execFile('git', fullArgs, { cwd, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      if (code !== null && (code === 0 || options.okCodes?.includes(code))) {
        resolve({ stdout, exitCode: code });
        return;
      }
      const detail = redactURL(String(stderr || error?.message || '').trim());
      reject(new GitError(`git ${redactURL(args.join(' '))} failed (exit ${code}): ${detail}`, detail, code));
    });
  });
}
