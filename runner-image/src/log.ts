// One structured (JSON) logger for the runner. Secrets are scrubbed from every
// line by value, whatever field they end up in.
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: string;
  secrets: string[];
  bindings: Record<string, unknown>;
  /** stdout unless given (tests) */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions): Logger {
  const scrub = (text: string) => options.secrets.reduce((s, secret) => s.split(secret).join('***'), text);
  return pino(
    {
      level: options.level,
      base: { component: 'runner', ...options.bindings },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      hooks: { streamWrite: (line) => scrub(line) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
