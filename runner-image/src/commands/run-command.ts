// Runs a command in the worktree (the verify command, an agent's shell tool,
// the cli agent) with a timeout that kills its whole process group, a bounded
// capture of its output, and an environment without the runner's secrets.
import { spawn } from 'node:child_process';

export interface CommandResult {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  /** stdout and stderr interleaved; the tail when longer than maxOutputBytes. */
  output: string;
  stdout: string;
  truncated: boolean;
}

export interface CommandOptions {
  cwd: string;
  timeoutMs: number;
  env?: Record<string, string | undefined>;
  input?: string;
  maxOutputBytes?: number;
}

/** Variables a build or test tool needs (proxies and CAs for package registries); never DATABASE_URL or a token. */
const PASSED_THROUGH = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'TZ',
  'TMPDIR',
  'TERM',
  'USER',
  'SHELL',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
];

export function commandEnvironment(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { CI: 'true', NIGHTSHIFT: '1' };
  for (const name of PASSED_THROUGH) if (process.env[name] !== undefined) env[name] = process.env[name];
  for (const [name, value] of Object.entries(extra)) if (value !== undefined) env[name] = value;
  return env;
}

/** NO_PROXY (both spellings) as passed through, plus hosts that must never go through a proxy (the pod's loopback). */
export function noProxyWith(hosts: string[]): { NO_PROXY: string; no_proxy: string } {
  const join = (given: string | undefined) => [...hosts, ...(given ? [given] : [])].join(',');
  return { NO_PROXY: join(process.env.NO_PROXY), no_proxy: join(process.env.no_proxy) };
}

export function runCommand(argv: string[], options: CommandOptions): Promise<CommandResult> {
  const maxBytes = options.maxOutputBytes ?? 64 * 1024;
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: options.cwd,
      env: commandEnvironment(options.env),
      detached: true, // its own process group, so a timeout kills what it started too
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = Buffer.alloc(0);
    let stdout = Buffer.alloc(0);
    let truncated = false;
    const keepTail = (buffer: Buffer, chunk: Buffer) => {
      const next = Buffer.concat([buffer, chunk]);
      if (next.length <= maxBytes) return next;
      truncated = true;
      return next.subarray(next.length - maxBytes);
    };
    child.stdout.on('data', (chunk: Buffer) => {
      output = keepTail(output, chunk);
      stdout = keepTail(stdout, chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => (output = keepTail(output, chunk)));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid);
    }, options.timeoutMs);
    let finished = false;
    const finish = (exitCode: number | null, signal: string | null, extra = '') => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      killGroup(child.pid); // leftovers the command started in the background
      resolve({
        exitCode,
        signal,
        timedOut,
        durationMs: Date.now() - started,
        output: output.toString('utf8') + extra,
        stdout: stdout.toString('utf8'),
        truncated,
      });
    };
    child.on('error', (error) => finish(null, null, `\nfailed to start ${argv[0]}: ${error.message}\n`));
    child.on('close', (code, signal) => finish(code, signal));
  });
}

/** Kills a process started with detached: true and everything it started (its process group). */
export function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
