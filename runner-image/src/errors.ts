// Why a run ends early. The run mode maps each to the outcome the ADR names;
// anything else is a crash (non-zero exit, retried by the operator).

/** SIGTERM arrived: the step in flight finished; record Paused/Stopped. */
export class StopRequested extends Error {
  override name = 'StopRequested';
  constructor() {
    super('stop requested (SIGTERM): the step in flight finished and was checkpointed');
  }
}

/** Which window refused a model call, for the Paused outcome (the operator resumes on it). */
export interface BudgetRefusalDetail {
  scope: 'story' | 'daily' | 'weekly' | 'unpriced';
  budget?: string | undefined;
  neededUSD?: number | undefined;
}

/** A model call's worst case did not fit the story's cap or a Budget window (or could not be bounded). */
export class BudgetExceeded extends Error {
  override name = 'BudgetExceeded';
  readonly detail: BudgetRefusalDetail;
  constructor(message: string, detail: BudgetRefusalDetail) {
    super(message);
    this.detail = detail;
  }
}

/** The story cannot succeed: record Failed with this reason (a CamelCase word). */
export class StoryFailure extends Error {
  override name = 'StoryFailure';
  readonly reason: string;
  constructor(reason: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.reason = reason;
  }
}
