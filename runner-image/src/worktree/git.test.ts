// Running git: a command that hangs (here a remote that accepts the connection
// and never answers) is killed at its timeout, with the helpers it started,
// and fails naming the command.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventually } from '../../../hack/test/harness.ts';
import { GitError, runGit } from './git.ts';

describe('git', function () {
  let dir: string;
  let silent: Server;
  const sockets = new Set<Socket>();
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'git-test-'));
    silent = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.resume(); // read (and ignore) the request, so the client's end is seen
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => silent?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('kills a hung command and its helpers at the timeout, naming the command', async function () {
    this.timeout(20_000);
    const { port } = silent.address() as { port: number };
    const url = `http://user:secret@127.0.0.1:${port}/demo/hello.git`;
    const started = Date.now();
    const error = await runGit(dir, ['clone', '--quiet', url, join(dir, 'clone')], { timeoutMs: 1000 }).then(
      () => assert.fail('the clone of a silent remote succeeded'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof GitError, String(error));
    assert.match(
      error.message,
      /^git clone --quiet http:\/\/\*\*\*@127\.0\.0\.1:\d+\/demo\/hello\.git \S+ timed out after 1 s and was killed/,
    );
    assert.doesNotMatch(error.message, /secret/);
    assert.ok(Date.now() - started < 10_000, `killed at its timeout (${Date.now() - started} ms)`);
    // The connection belongs to git-remote-http, a child of git: it is gone only if the whole group was killed.
    await eventually('the remote helper to be killed too', () => sockets.size === 0 || undefined, {
      timeoutMs: 5000,
    });
  });
});
