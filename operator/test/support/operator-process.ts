// Runs the real operator (bin/nightshift-operator.ts) as a child process for
// integration tests, the way a user starts it: configuration through the
// environment, one namespace watched, logs kept for failure messages.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { REPO_ROOT, eventually, freePort } from '../../../hack/test/harness.ts';

export const OPERATOR_BIN = join(REPO_ROOT, 'operator', 'bin', 'nightshift-operator.ts');
/** The compiled operator (node hack/build/bundle.ts operator), as images and npm start run it. */
export const OPERATOR_BUNDLE = join(REPO_ROOT, 'operator', 'dist', 'nightshift-operator.mjs');
export const RUNNER_IMAGE = process.env.NIGHTSHIFT_RUNNER_IMAGE ?? 'nightshift.local/runner:dev';

export interface OperatorOptions {
  kubeconfig: string;
  /** Unset: the operator runs its embedded Postgres (configure database.embedded in config). */
  databaseURL?: string;
  namespace: string;
  identity?: string;
  /** Extra configuration, written to the YAML file the operator is started with. */
  config?: Record<string, unknown>;
  env?: Record<string, string>;
  /** The entry point to run: the TypeScript sources (default) or the bundle. */
  bin?: string;
}

export class OperatorProcess {
  readonly port: number;
  readonly identity: string;
  private child: ChildProcess | undefined;
  private output = '';
  private exited: Promise<number | null> | undefined;
  private readonly options: OperatorOptions;
  private readonly pidFile: string;
  private readonly configFile: string;

  private constructor(options: OperatorOptions, port: number) {
    this.options = options;
    this.port = port;
    this.identity = options.identity ?? `operator-${port}`;
    const dir = mkdtempSync(join(tmpdir(), 'ns-op-'));
    this.pidFile = join(dir, 'operator.pid');
    this.configFile = join(dir, 'operator.yaml');
    // Fast retries so a failing story reaches its limit within a test.
    writeFileSync(
      this.configFile,
      stringify({ retry: { backoffBaseSeconds: 1, backoffMaxSeconds: 5 }, ...options.config }),
    );
  }

  static async start(options: OperatorOptions): Promise<OperatorProcess> {
    const operator = new OperatorProcess(options, await freePort());
    operator.spawn();
    return operator;
  }

  /** Starts it and waits until /readyz answers 200 (caches synced, database reachable). */
  static async startReady(options: OperatorOptions): Promise<OperatorProcess> {
    const operator = await OperatorProcess.start(options);
    await eventually('the operator to be ready', async () => (await operator.readyz()) === 200, {
      timeoutMs: 60_000,
    }).catch((error: Error) => {
      throw new Error(`${error.message}\n${operator.tail()}`, { cause: error });
    });
    return operator;
  }

  /** Environment of a local-cluster operator: story pods on the node network, a fast retry. */
  private env(): NodeJS.ProcessEnv {
    const { options } = this;
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: options.kubeconfig,
      ...(options.databaseURL
        ? { DATABASE_URL: options.databaseURL, NIGHTSHIFT_RUNNER_DATABASE_URL: options.databaseURL }
        : {}),
      NIGHTSHIFT_NAMESPACES: options.namespace,
      NIGHTSHIFT_IDENTITY: this.identity,
      NIGHTSHIFT_HTTP_PORT: String(this.port),
      NIGHTSHIFT_PID_FILE: this.pidFile,
      NIGHTSHIFT_LEADER_ELECTION_NAMESPACE: options.namespace,
      NIGHTSHIFT_RUNNER_IMAGE: RUNNER_IMAGE,
      NIGHTSHIFT_RUNNER_HOST_NETWORK: 'true',
      NIGHTSHIFT_WORKSPACE_FIX_PERMISSIONS: 'true',
      NIGHTSHIFT_LOG_LEVEL: 'debug',
      ...options.env,
    };
  }

  private spawn(): void {
    this.child = spawn(process.execPath, [this.options.bin ?? OPERATOR_BIN, 'start', '--config', this.configFile], {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const child = this.child;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  logs(): string {
    return this.output;
  }

  /** The last lines of the log, for assertion messages. */
  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  async readyz(): Promise<number> {
    return fetch(`http://127.0.0.1:${this.port}/readyz`).then(
      (r) => r.status,
      () => 0,
    );
  }

  async metrics(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async waitForExit(timeoutMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`operator did not exit within ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited!, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts it again after it exited (same identity, port and settings). */
  restart(): void {
    this.output += '\n--- restarted ---\n';
    this.spawn();
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.kill('SIGTERM');
    await this.waitForExit(60_000).catch(() => this.kill('SIGKILL'));
  }
}
