// Raising a Budget's limit or adding an extension takes effect only once
// confirmed: the annotation CONFIRM_INCREASE_ANNOTATION must hold
// confirmIncreaseValue(spec, generation) of the spec that raised it (the
// dashboard sets it with the raise, after its confirmation dialog; with
// kubectl a person copies it from status.pendingIncrease). It depends on the
// new spec and its generation alone, so whoever confirms computes the same
// string as the budget controller that checks it, and a confirmation of an
// older spec never confirms a later raise to the same values.
import type { BudgetSpec } from '../budget.ts';

export const CONFIRM_INCREASE_ANNOTATION = 'nightshift.dev/confirm-increase';

const amount = (usd: number | undefined) => (usd === undefined ? 'none' : String(Number(usd.toFixed(6))));

/** e.g. `dailyLimitUSD=50,weeklyLimitUSD=none,extensions=2@7`: the limits, the number of extensions, the generation. */
export function confirmIncreaseValue(
  spec: Pick<BudgetSpec, 'dailyLimitUSD' | 'weeklyLimitUSD' | 'extensions'>,
  generation: number,
): string {
  return `dailyLimitUSD=${amount(spec.dailyLimitUSD)},weeklyLimitUSD=${amount(spec.weeklyLimitUSD)},extensions=${spec.extensions?.length ?? 0}@${generation}`;
}
