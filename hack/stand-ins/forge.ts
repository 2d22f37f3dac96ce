// A local forge on loopback: git smart HTTP for bare repositories under a root
// directory (/git/<owner>/<name>.git) plus the GitHub REST subset the runner
// uses (/api/v3/...), validated against GitHub's OpenAPI description.
//
//   node hack/stand-ins/forge.ts --port 7080 --root <dir> --token <t> [--seed-demo]
//
// Tests import startForge() and read forge.pulls to see what was opened. The
// pull requests are kept under <root>/.forge (see forge-state.ts), so a forge
// restarted on the same root carries on where the last one stopped.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { serveGit } from './git-http.ts';
import { loadPulls, savePulls } from './forge-state.ts';
import { handleApiRequest, notFound, type RecordedPull } from './github-api.ts';
import { GitHubDescription } from './github-openapi.ts';
import { DEMO_REPOSITORY, repositoryPath, seedDemoRepository } from './repositories.ts';

export { createRepository, seedDemoRepository, branchHead, readFileAt, repositoryPath } from './repositories.ts';
export { DEMO_REPOSITORY, DEMO_REPOSITORY_FILES } from './repositories.ts';
export type { RecordedPull } from './github-api.ts';

export interface ForgeOptions {
  /** Directory of bare repositories: <root>/<owner>/<name>.git */
  root: string;
  /** When set, every git and API request must carry it (Basic password, Bearer or "token"). */
  token?: string;
  port?: number;
  host?: string;
  description?: GitHubDescription;
}

export interface RecordedApiRequest {
  method: string;
  path: string;
  status: number;
  body: unknown;
}

export interface Forge {
  /** e.g. http://127.0.0.1:7080 */
  url: string;
  /** GitHub Enterprise style API base for Octokit: <url>/api/v3 */
  apiURL: string;
  /** Clone URL of owner/name: <url>/git/<owner>/<name>.git */
  gitURL(fullName: string): string;
  /** Pull requests opened so far on this root (including by earlier forges on it). */
  pulls: RecordedPull[];
  /** Every API request with the status it got. */
  apiRequests: RecordedApiRequest[];
  close(): Promise<void>;
}

let sharedDescription: GitHubDescription | undefined;

export async function startForge(options: ForgeOptions): Promise<Forge> {
  const description = options.description ?? (sharedDescription ??= new GitHubDescription());
  const root = resolve(options.root);
  mkdirSync(root, { recursive: true });
  const pulls: RecordedPull[] = loadPulls(root);
  const apiRequests: RecordedApiRequest[] = [];
  const host = options.host ?? '127.0.0.1';
  let baseURL = '';

  const server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => {
      if (!res.headersSent) sendJSON(res, 500, { message: error.message });
      else res.destroy(error);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', baseURL);
    const authorized = !options.token || tokenOf(req) === options.token;
    if (url.pathname.startsWith('/git/')) {
      if (!authorized) {
        res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="nightshift-forge"' }).end('authentication required\n');
        return;
      }
      serveGit(req, res, url.pathname.slice('/git'.length), { projectRoot: root, remoteUser: 'nightshift' });
      return;
    }
    if (url.pathname.startsWith('/api/v3/')) {
      const path = url.pathname.slice('/api/v3'.length);
      const raw = await readBody(req);
      if (!authorized) {
        apiRequests.push({ method: req.method ?? 'GET', path, status: 401, body: raw });
        sendJSON(res, 401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/rest' });
        return;
      }
      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw);
        } catch {
          sendJSON(res, 400, { message: 'Problems parsing JSON' });
          return;
        }
      }
      const answer = await handleApiRequest(
        {
          description,
          root,
          webURL: baseURL,
          apiURL: `${baseURL}/api/v3`,
          pulls,
          pullsChanged: () => savePulls(root, pulls),
        },
        { method: req.method ?? 'GET', path, query: url.searchParams, body },
      );
      apiRequests.push({ method: req.method ?? 'GET', path, status: answer.status, body });
      sendJSON(res, answer.status, answer.body, answer.headers);
      return;
    }
    const answer = notFound();
    sendJSON(res, answer.status, answer.body);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolvePromise());
  });
  const { port } = server.address() as { port: number };
  baseURL = `http://${host}:${port}`;
  return {
    url: baseURL,
    apiURL: `${baseURL}/api/v3`,
    gitURL: (fullName) => `${baseURL}/git/${fullName}.git`,
    pulls,
    apiRequests,
    close: () =>
      new Promise((resolvePromise) => {
        server.close(() => resolvePromise());
        server.closeAllConnections();
      }),
  };
}

/** The token of an Authorization header: Basic (password, or user when no password), Bearer or token. */
function tokenOf(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(/\s+/, 2);
  if (/^basic$/i.test(scheme ?? '')) {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return decoded;
    return decoded.slice(colon + 1) || decoded.slice(0, colon);
  }
  if (/^(bearer|token)$/i.test(scheme ?? '')) return value;
  return undefined;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolvePromise(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

let requestCounter = 0;

function sendJSON(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res
    .writeHead(status, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(text),
      'X-GitHub-Request-Id': `FORGE:${(++requestCounter).toString(16).toUpperCase()}`,
      ...headers,
    })
    .end(text);
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '7080' },
      host: { type: 'string', default: '127.0.0.1' },
      root: { type: 'string' },
      token: { type: 'string' },
      'seed-demo': { type: 'boolean', default: false },
    },
  });
  if (!values.root) {
    console.error('usage: node hack/stand-ins/forge.ts --port 7080 --root <dir> [--token <t>] [--seed-demo]');
    process.exit(2);
  }
  if (values['seed-demo'] && !existsSync(repositoryPath(values.root, DEMO_REPOSITORY))) {
    await seedDemoRepository(values.root);
  }
  const forge = await startForge({
    root: values.root,
    port: Number(values.port),
    host: values.host,
    ...(values.token ? { token: values.token } : {}),
  });
  console.log(JSON.stringify({ msg: 'forge listening', url: forge.url, api: forge.apiURL, root: values.root }));
  const stop = () => void forge.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
