// A StoryRun the operator cannot read (an object written around the schema:
// an older CRD without a newer rule, a status someone else wrote): the fields
// at fault, named as a person finds them in `kubectl edit`, for a Warning
// Event and the Valid condition. Pure.
import type { z } from 'zod';
import type { ConditionUpdate } from '../kube/index.ts';

export const INVALID_REASON = 'InvalidSpec';
export const VALID_CONDITION = 'Valid';

/** e.g. `spec.story.id: Invalid string: must match pattern …; spec.priority: expected number, received string` */
export function describeIssues(issues: z.core.$ZodIssue[], max = 5): string {
  const described = issues
    .slice(0, max)
    .map((issue) => `${issue.path.map(String).join('.') || '(object)'}: ${issue.message}`);
  if (issues.length > max) described.push(`and ${issues.length - max} more`);
  return described.join('; ');
}

/** Where the problem is: the spec (the user must fix it) or the status (written by someone else). */
export function invalidReason(issues: z.core.$ZodIssue[]): 'InvalidSpec' | 'InvalidStatus' | 'InvalidObject' {
  const roots = new Set(issues.map((i) => String(i.path[0] ?? '')));
  if (roots.has('spec')) return 'InvalidSpec';
  if (roots.size === 1 && roots.has('status')) return 'InvalidStatus';
  return 'InvalidObject';
}

export function invalidCondition(issues: z.core.$ZodIssue[]): ConditionUpdate {
  return {
    type: VALID_CONDITION,
    status: 'False',
    reason: invalidReason(issues),
    message: `the operator cannot act on this StoryRun until it is fixed: ${describeIssues(issues)}`,
  };
}
