// A real SMTP server on loopback (the smtp-server package) standing in for a
// mail relay: it offers STARTTLS with a certificate of its own CA (made with
// openssl at start; hand `ca` to the client), refuses AUTH before TLS,
// checks the credentials, and parses every message it accepts with
// mailparser so tests can read subject, parts, links and headers.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  envelope: { from: string; to: string[] };
  /** The message as sent (RFC 5322 source). */
  raw: string;
  parsed: ParsedMail;
  /** The session had upgraded to TLS (STARTTLS) before the message. */
  secure: boolean;
  user: string | undefined;
}

export interface SmtpStandIn {
  port: number;
  /** PEM of the certificate the server presents (self-signed for localhost and 127.0.0.1). */
  ca: string;
  /** smtp://user:password@127.0.0.1:port */
  url: string;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

export async function startSmtpStandIn(options: { user?: string; password?: string } = {}): Promise<SmtpStandIn> {
  const user = options.user ?? 'nightshift';
  const password = options.password ?? 'smtp-secret';
  const dir = mkdtempSync(join(tmpdir(), 'ns-smtp-'));
  const key = join(dir, 'key.pem');
  const cert = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    secure: false,
    key: readFileSync(key),
    cert: readFileSync(cert),
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false, // AUTH only after STARTTLS
    banner: 'nightshift smtp stand-in',
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === user && auth.password === password) return callback(null, { user });
      callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        simpleParser(raw)
          .then((parsed) => {
            mails.push({
              envelope: {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address),
              },
              raw,
              parsed,
              secure: session.secure,
              user: typeof session.user === 'string' ? session.user : undefined,
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  writeFileSync(join(dir, 'port'), String(port));
  return {
    port,
    ca: readFileSync(cert, 'utf8'),
    url: `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
