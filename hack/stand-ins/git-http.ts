// Git's smart HTTP protocol, served by git's own CGI program (git http-backend)
// so clients see exactly what a real forge would answer — clone, fetch and
// push (receive-pack is enabled for authenticated requests).
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface GitHttpOptions {
  /** Directory holding the bare repositories, e.g. <root>/demo/hello.git */
  projectRoot: string;
  /** The user the request authenticated as; enables pushing. */
  remoteUser?: string;
}

/** Runs `git http-backend` for one request; pathInfo is the path after the git prefix, e.g. /demo/hello.git/info/refs. */
export function serveGit(req: IncomingMessage, res: ServerResponse, pathInfo: string, options: GitHttpOptions): void {
  const url = new URL(req.url ?? '/', 'http://forge.invalid');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    GIT_PROJECT_ROOT: options.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_HTTP_MAX_REQUEST_BUFFER: '100M',
    PATH_INFO: pathInfo,
    QUERY_STRING: url.search.replace(/^\?/, ''),
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
  if (options.remoteUser) env.REMOTE_USER = options.remoteUser;

  const backend = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  req.pipe(backend.stdin);
  backend.stdin.on('error', () => {}); // the backend may answer before reading the whole body
  let stderr = '';
  backend.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

  // CGI output: headers, a blank line, then the body, streamed as it comes.
  let head = Buffer.alloc(0);
  let headersSent = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersSent) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const text = head.toString('latin1');
    const end = text.search(/\r?\n\r?\n/);
    if (end < 0) return;
    const separator = /\r?\n\r?\n/.exec(text.slice(end))![0];
    let status = 200;
    for (const line of text.slice(0, end).split(/\r?\n/)) {
      const colon = line.indexOf(':');
      if (colon < 0) continue;
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name, value);
    }
    res.statusCode = status;
    headersSent = true;
    const body = head.subarray(Buffer.byteLength(text.slice(0, end + separator.length), 'latin1'));
    if (body.length > 0) res.write(body);
  });
  backend.on('close', (code) => {
    if (!headersSent) {
      res.statusCode = 500;
      res.end(`git http-backend exited with ${code}: ${stderr}`);
      return;
    }
    res.end();
  });
  backend.on('error', (error) => {
    if (!res.headersSent) res.statusCode = 500;
    res.end(`git http-backend failed: ${error.message}`);
  });
}
