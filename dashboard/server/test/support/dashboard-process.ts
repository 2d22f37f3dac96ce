// Runs the real dashboard server (bin/nightshift-dashboard.ts) as a child
// process for integration tests, configured through its environment like a
// user would, serving one namespace; keeps its output for failure messages
// and picks out the first token it prints.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT, eventually, freePort } from '../../../../hack/test/harness.ts';

export const DASHBOARD_BIN = join(REPO_ROOT, 'dashboard', 'server', 'bin', 'nightshift-dashboard.ts');

export interface DashboardOptions {
  kubeconfig: string;
  databaseURL: string;
  namespace: string;
  env?: Record<string, string>;
}

export class DashboardProcess {
  readonly port: number;
  readonly probePort: number;
  private child: ChildProcess | undefined;
  private output = '';
  private exited: Promise<number | null> | undefined;
  private readonly options: DashboardOptions;

  private constructor(options: DashboardOptions, port: number, probePort: number) {
    this.options = options;
    this.port = port;
    this.probePort = probePort;
  }

  static async startReady(options: DashboardOptions): Promise<DashboardProcess> {
    const dashboard = new DashboardProcess(options, await freePort(), await freePort());
    dashboard.spawn();
    await dashboard.waitReady();
    return dashboard;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The token printed on the first start, if this process printed one. */
  firstToken(): string | undefined {
    return /^\s+(nsd_[a-z0-9]{12}_[A-Za-z0-9_-]{43})$/m.exec(this.output)?.[1];
  }

  logs(): string {
    return this.output;
  }

  tail(lines = 40): string {
    return this.output.split('\n').slice(-lines).join('\n');
  }

  env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      KUBECONFIG: this.options.kubeconfig,
      DATABASE_URL: this.options.databaseURL,
      NIGHTSHIFT_NAMESPACES: this.options.namespace,
      NIGHTSHIFT_DASHBOARD_HOST: '127.0.0.1',
      NIGHTSHIFT_DASHBOARD_PORT: String(this.port),
      NIGHTSHIFT_DASHBOARD_PROBE_PORT: String(this.probePort),
      NIGHTSHIFT_LOG_LEVEL: 'info',
      ...this.options.env,
    };
  }

  private spawn(): void {
    this.child = spawn(process.execPath, [DASHBOARD_BIN, 'start'], {
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const child = this.child;
    this.exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  }

  async waitReady(): Promise<void> {
    let last = 'nothing yet';
    await eventually(
      'the dashboard to be ready',
      async () => {
        if (this.child?.exitCode !== null && this.child?.exitCode !== undefined) {
          throw new Error(`the dashboard exited with ${this.child.exitCode}`);
        }
        const ready = await fetch(`http://127.0.0.1:${this.probePort}/readyz`).then(
          async (r) => (r.ok ? 'ok' : `${r.status} ${await r.text()}`),
          (e: Error) => e.message,
        );
        const api = await fetch(`${this.url}/api/whoami`).then(
          (r) => r.status,
          (e: Error) => e.message,
        );
        last = `readyz: ${ready}; /api/whoami without a token: ${api}`;
        return (ready === 'ok' && api === 401) || undefined;
      },
      { timeoutMs: 90_000 },
    ).catch((error: Error) => {
      throw new Error(`${error.message} (${last})\n${this.tail()}`, { cause: error });
    });
  }

  kill(signal: NodeJS.Signals): void {
    this.child?.kill(signal);
  }

  async waitForExit(timeoutMs = 60_000): Promise<number | null> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the dashboard did not exit within ${timeoutMs} ms:\n${this.tail()}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([this.exited!, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Starts it again (same ports and settings) after it exited, and waits until it is ready. */
  async restart(): Promise<void> {
    this.output += '\n--- restarted ---\n';
    this.spawn();
    await this.waitReady();
  }

  async stop(): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.kill('SIGTERM');
    await this.waitForExit(30_000).catch(() => this.kill('SIGKILL'));
  }
}

/** A small client of the REST API for tests. */
export function apiClient(base: string, token: string | undefined) {
  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read whatever the server answered
    return { status: response.status, headers: response.headers, body: json as any };
  };
  return {
    get: (path: string) => call('GET', path),
    post: (path: string, body: unknown) => call('POST', path, body),
    patch: (path: string, body: unknown) => call('PATCH', path, body),
    put: (path: string, body: unknown) => call('PUT', path, body),
  };
}
