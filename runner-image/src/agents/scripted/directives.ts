// The scripted agent's instructions, read from the story description (see
// runner-image/README.md): fenced blocks whose info string is a directive.
//   ```write <path> [round=N] [choice=X]   file content
//   ```append <path> [round=N] [choice=X]  text to append
//   ```delete <path> [round=N] [choice=X]  (body ignored)
//   ```ask                                 question:/options:/recommendation:/context:
//   ```nightshift                          key: value settings (confidence, review, calls, slow, silent, ...)
// Pure: parsing only, no file system.

export interface FileDirective {
  op: 'write' | 'append' | 'delete';
  path: string;
  content: string;
  /** only in this implement round */
  round?: number;
  /** only once a human chose this option */
  choice?: string;
}

export interface AskDirective {
  question: string;
  options: string[];
  recommendation?: string;
  context: string;
}

export interface CallsDirective {
  count: number;
  parallel: number;
  inputTokens: number;
  outputTokens: number;
  model?: string;
  provider?: string;
  latencyMs: number;
}

export interface SlowDirective {
  step: 'plan' | 'implement' | 'review';
  seconds: number;
  /** only in this pod attempt (NIGHTSHIFT_ATTEMPT) */
  attempt?: number;
}

export type Verdict = 'approve' | 'comment' | 'request_changes';

export interface Directives {
  files: FileDirective[];
  asks: AskDirective[];
  /** self-assessed confidence per implement round; the last value repeats */
  confidence: number[];
  /** review verdict per implement round; the last value repeats */
  review: Verdict[];
  calls?: CallsDirective;
  slow: SlowDirective[];
  /** Steps that hang without a heartbeat (the runner seems dead): for the health monitor's stuck check. */
  silent: SlowDirective[];
  plan?: string;
}

export class DirectiveError extends Error {
  override name = 'DirectiveError';
}

interface Block {
  info: string;
  body: string;
  line: number;
}

export function fencedBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^( {0,3})(`{3,}|~{3,})\s*([^`]*?)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(lines[j]!);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length) break;
      body.push(lines[j]!.replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    blocks.push({ info: open[3] ?? '', body: body.length > 0 ? `${body.join('\n')}\n` : '', line: i + 1 });
    i = j;
  }
  return blocks;
}

const FILE_OPS = new Set(['write', 'append', 'delete']);

export function parseDirectives(description: string): Directives {
  const directives: Directives = { files: [], asks: [], confidence: [], review: [], slow: [], silent: [] };
  for (const block of fencedBlocks(description)) {
    const [kind = '', ...words] = block.info.split(/\s+/).filter(Boolean);
    const where = `directive on line ${block.line} (${block.info})`;
    if (FILE_OPS.has(kind)) {
      const [path, ...attributes] = words;
      if (!path) throw new DirectiveError(`${where}: missing the file path`);
      const file: FileDirective = { op: kind as FileDirective['op'], path, content: block.body };
      for (const attribute of attributes) {
        const [key, value = ''] = attribute.split('=', 2);
        if (key === 'round') file.round = positiveInt(value, `${where}: round`);
        else if (key === 'choice' && value) file.choice = value;
        else throw new DirectiveError(`${where}: unknown attribute "${attribute}" (round=N or choice=X)`);
      }
      directives.files.push(file);
    } else if (kind === 'ask') {
      directives.asks.push(parseAsk(block.body, where));
    } else if (kind === 'nightshift') {
      parseSettings(block.body, where, directives);
    }
  }
  return directives;
}

function parseAsk(body: string, where: string): AskDirective {
  const fields: Record<string, string> = {};
  let context: string[] | undefined;
  for (const line of body.split('\n')) {
    if (context) {
      context.push(line);
      continue;
    }
    if (!line.trim()) continue;
    const m = /^(\w+):\s*(.*)$/.exec(line);
    if (!m) throw new DirectiveError(`${where}: expected "key: value", got "${line}"`);
    if (m[1] === 'context') context = [m[2]!];
    else fields[m[1]!] = m[2]!;
  }
  for (const key of Object.keys(fields)) {
    if (!['question', 'options', 'recommendation'].includes(key)) {
      throw new DirectiveError(`${where}: unknown key "${key}" (question, options, recommendation, context)`);
    }
  }
  if (!fields.question) throw new DirectiveError(`${where}: "question:" is required`);
  const options = list(fields.options ?? '');
  const ask: AskDirective = { question: fields.question, options, context: (context ?? []).join('\n').trim() };
  if (fields.recommendation) ask.recommendation = fields.recommendation;
  return ask;
}

function parseSettings(body: string, where: string, directives: Directives): void {
  const calls: Partial<CallsDirective> = {};
  for (const line of body.split('\n')) {
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const m = /^([\w-]+):\s*(.*?)\s*$/.exec(line);
    if (!m) throw new DirectiveError(`${where}: expected "key: value", got "${line}"`);
    const [, key, value = ''] = m;
    const at = `${where}: ${key}`;
    switch (key) {
      case 'confidence':
        directives.confidence = list(value).map((v) => fraction(v, at));
        break;
      case 'review':
        directives.review = list(value).map((v) => verdict(v, at));
        break;
      case 'plan':
        directives.plan = value;
        break;
      case 'slow':
        directives.slow.push(slow(value, at));
        break;
      case 'silent':
        directives.silent.push(slow(value, at));
        break;
      case 'calls':
        calls.count = positiveInt(value, at);
        break;
      case 'calls-parallel':
        calls.parallel = positiveInt(value, at);
        break;
      case 'call-input-tokens':
        calls.inputTokens = positiveInt(value, at);
        break;
      case 'call-output-tokens':
        calls.outputTokens = positiveInt(value, at);
        break;
      case 'call-model':
        calls.model = value;
        break;
      case 'call-provider':
        calls.provider = value;
        break;
      case 'call-latency-ms':
        calls.latencyMs = nonNegativeInt(value, at);
        break;
      default:
        throw new DirectiveError(`${where}: unknown setting "${key}"`);
    }
  }
  if (Object.keys(calls).length > 0) {
    if (calls.count === undefined) throw new DirectiveError(`${where}: call-* settings need "calls: N"`);
    directives.calls = {
      count: calls.count,
      parallel: calls.parallel ?? 1,
      inputTokens: calls.inputTokens ?? 1000,
      outputTokens: calls.outputTokens ?? 500,
      latencyMs: calls.latencyMs ?? 20,
      ...(calls.model ? { model: calls.model } : {}),
      ...(calls.provider ? { provider: calls.provider } : {}),
    };
  }
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(value: string, at: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new DirectiveError(`${at}: expected a whole number >= 1, got "${value}"`);
  return n;
}

function nonNegativeInt(value: string, at: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new DirectiveError(`${at}: expected a whole number >= 0, got "${value}"`);
  return n;
}

function fraction(value: string, at: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1)
    throw new DirectiveError(`${at}: expected a number in 0..1, got "${value}"`);
  return n;
}

function verdict(value: string, at: string): Verdict {
  if (value === 'approve' || value === 'comment' || value === 'request_changes') return value;
  throw new DirectiveError(`${at}: expected approve, comment or request_changes, got "${value}"`);
}

function slow(value: string, at: string): SlowDirective {
  const m = /^(plan|implement|review)\s+(\d+(?:\.\d+)?)s(?:\s+attempt=(\d+))?$/.exec(value);
  if (!m) throw new DirectiveError(`${at}: expected "<plan|implement|review> <seconds>s [attempt=N]", got "${value}"`);
  return {
    step: m[1] as SlowDirective['step'],
    seconds: Number(m[2]),
    ...(m[3] ? { attempt: Number(m[3]) } : {}),
  };
}

/** The value for an implement round from a per-round list whose last value repeats. */
export function forRound<T>(values: T[], round: number): T | undefined {
  if (values.length === 0) return undefined;
  return values[Math.min(round, values.length) - 1];
}
