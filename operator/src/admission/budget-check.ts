// The budget's say in admission, as a small seam: the WorkQueue controller
// asks it about the queue and about the stories it is about to admit, and
// treats a closed verdict as the reason nothing (or that story) is admitted.
// The Budget controller provides the real check; until it plugs in, the
// budget is always open.
import type { StoryRun } from '@nightshift/crds';

export interface BudgetVerdict {
  open: boolean;
  reason?: 'BudgetExceeded' | 'EstimateExceedsBudget';
  message?: string;
}

export interface QueueBudgetRef {
  namespace: string;
  budgetRef?: string | undefined;
}

/** May this story of the queue start now (the budget has room, its estimate fits what is left)? */
export type BudgetCheck = (queue: QueueBudgetRef, story: StoryRun) => Promise<BudgetVerdict>;

export const alwaysOpenBudget: BudgetCheck = async () => ({ open: true });
