// Raising a Budget's limit or adding an extension takes effect only once
// confirmed: the annotation CONFIRM_INCREASE_ANNOTATION must hold
// confirmIncreaseValue(spec) of the spec that raised it (the dashboard sets
// it after its confirmation dialog; with kubectl a person sets it by hand).
// The value depends on the new spec alone, so whoever confirms — the
// dashboard now, or a person later for a pending increase — computes the
// same string as the budget controller that checks it.
import type { BudgetSpec } from '../budget.ts';

export const CONFIRM_INCREASE_ANNOTATION = 'nightshift.dev/confirm-increase';

const amount = (usd: number | undefined) => (usd === undefined ? 'none' : String(Number(usd.toFixed(6))));

/** e.g. `dailyLimitUSD=50,weeklyLimitUSD=none,extensions=2`: the limits and the number of extensions. */
export function confirmIncreaseValue(
  spec: Pick<BudgetSpec, 'dailyLimitUSD' | 'weeklyLimitUSD' | 'extensions'>,
): string {
  return `dailyLimitUSD=${amount(spec.dailyLimitUSD)},weeklyLimitUSD=${amount(spec.weeklyLimitUSD)},extensions=${spec.extensions?.length ?? 0}`;
}
