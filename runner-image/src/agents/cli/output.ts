// What a cli agent reports on stdout, one JSON object per line among its
// other output (runner-image/README.md):
//   {"nightshift_cost": {"usd": 0.12, "input_tokens": 1200, "output_tokens": 300, "model": "..."}}  one per model call
//   {"nightshift_confidence": 0.85}
//   {"nightshift_question": {"question": "...", "options": ["a", "b"], "recommendation": "a", "context": "..."}}
//   {"nightshift_summary": "what was changed"}
// Pure: parsing only.
import { z } from 'zod';
import type { AgentQuestion } from '../agent.ts';

const costSchema = z.object({
  usd: z.number().min(0).optional(),
  input_tokens: z.int().min(0).optional(),
  output_tokens: z.int().min(0).optional(),
  model: z.string().optional(),
  provider: z.string().optional(),
});
export type CostLine = z.infer<typeof costSchema>;

const lineSchema = z.union([
  z.object({ nightshift_cost: costSchema }),
  z.object({ nightshift_confidence: z.number().min(0).max(1) }),
  z.object({
    nightshift_question: z.object({
      question: z.string().min(1),
      options: z.array(z.string()).default([]),
      recommendation: z.string().optional(),
      context: z.string().default(''),
    }),
  }),
  z.object({ nightshift_summary: z.string() }),
]);

export interface CliReport {
  costs: CostLine[];
  confidence?: number;
  question?: AgentQuestion;
  summary?: string;
  /** lines that start with {"nightshift_ but do not match a shape */
  malformed: string[];
}

export function parseCliOutput(stdout: string): CliReport {
  const report: CliReport = { costs: [], malformed: [] };
  for (const raw of stdout.split('\n')) {
    const line = raw.trim();
    if (!line.startsWith('{"nightshift_')) continue;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(line));
    } catch {
      report.malformed.push(line);
      continue;
    }
    if ('nightshift_cost' in parsed) report.costs.push(parsed.nightshift_cost);
    else if ('nightshift_confidence' in parsed) report.confidence = parsed.nightshift_confidence;
    else if ('nightshift_question' in parsed) report.question = parsed.nightshift_question;
    else report.summary = parsed.nightshift_summary;
  }
  return report;
}
