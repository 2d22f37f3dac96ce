// What the loopback model servers (anthropic.ts, openai.ts) share: a script of
// replies consumed one per request, the requests they received, and a small
// HTTP server. Each provider module turns a reply into its own wire format.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

/** One model reply: text and/or tool calls, with the usage the provider reports for it. */
export interface ScriptedReply {
  text?: string;
  toolCalls?: ScriptedToolCall[];
  usage: { input_tokens: number; output_tokens: number };
}

/** A fixed list (one reply per request, in order) or a function of the request. */
export type ModelScript = ScriptedReply[] | ((request: RecordedModelRequest, index: number) => ScriptedReply);

export interface RecordedModelRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

export interface ModelServer {
  /** Base URL to give the client, e.g. http://127.0.0.1:7081 (Anthropic) or http://127.0.0.1:7082/v1 (OpenAI). */
  baseURL: string;
  requests: RecordedModelRequest[];
  close(): Promise<void>;
}

export interface ModelServerOptions {
  script: ModelScript;
  /** When set, requests must carry this key (x-api-key or Bearer). */
  apiKey?: string;
  port?: number;
  host?: string;
}

export interface Route {
  path: string;
  /** Problems with the request body, in the provider's words; empty when valid. */
  check(body: Record<string, unknown>): string[];
  answer(reply: ScriptedReply, body: Record<string, unknown>, index: number): unknown;
  error(status: number, message: string): unknown;
  apiKeyOf(req: IncomingMessage): string | undefined;
}

export async function startModelServer(
  options: ModelServerOptions,
  route: Route,
  basePath: string,
): Promise<ModelServer> {
  const requests: RecordedModelRequest[] = [];
  const server = createServer((req, res) => {
    void handle(req, res).catch((error: Error) => send(res, 500, route.error(500, error.message)));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });
    const path = new URL(req.url ?? '/', 'http://model.invalid').pathname;
    if (req.method !== 'POST' || path !== route.path) {
      send(res, 404, route.error(404, `no route ${req.method} ${path}`));
      return;
    }
    if (options.apiKey && route.apiKeyOf(req) !== options.apiKey) {
      send(res, 401, route.error(401, 'invalid api key'));
      return;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      send(res, 400, route.error(400, 'request body is not JSON'));
      return;
    }
    const problems = route.check(body);
    if (problems.length > 0) {
      send(res, 400, route.error(400, problems.join('; ')));
      return;
    }
    const index = requests.length;
    const recorded = { path, headers: req.headers, body };
    requests.push(recorded);
    const reply = typeof options.script === 'function' ? options.script(recorded, index) : options.script[index];
    if (!reply) {
      send(res, 500, route.error(500, `the script has no reply for request ${index + 1}`));
      return;
    }
    send(res, 200, route.answer(reply, body, index));
  }

  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    baseURL: `http://${host}:${port}${basePath}`,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) }).end(text);
}

/** For the command lines: --script <file.json> holding a ScriptedReply[]. */
export function readScriptFile(path: string): ScriptedReply[] {
  const script = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  if (!Array.isArray(script)) throw new Error(`${path}: expected a JSON array of replies`);
  return script as ScriptedReply[];
}

export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * The command line of a model stand-in: `--port N --script replies.json [--api-key k]`.
 * Anthropic and OpenAI stand-ins differ only in their route, name and default port.
 */
export async function runModelServerCli(
  name: string,
  defaultPort: number,
  start: (options: ModelServerOptions) => Promise<ModelServer>,
): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: String(defaultPort) },
      script: { type: 'string' },
      'api-key': { type: 'string' },
    },
  });
  if (!values.script) {
    console.error(`usage: node hack/stand-ins/${name}.ts --port ${defaultPort} --script replies.json [--api-key k]`);
    process.exit(2);
  }
  const server = await start({
    script: readScriptFile(values.script),
    port: Number(values.port),
    ...(values['api-key'] ? { apiKey: values['api-key'] } : {}),
  });
  console.log(JSON.stringify({ msg: `${name} stand-in listening`, baseURL: server.baseURL }));
}
