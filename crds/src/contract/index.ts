// The contract between Nightshift's processes (docs/adr/0002-contract.md): what
// the operator and the runner pod tell each other, and what the dashboard and
// the notifier read — runner modes and environment, attempt outcomes, event
// payloads, decisions, NOTIFY channels, branch names, resource names, and the
// Postgres rows, each defined once, here.
export * from './runner.ts';
export * from './outcomes.ts';
export * from './events.ts';
export * from './decisions.ts';
export * from './notify.ts';
export * from './notifications.ts';
export * from './git.ts';
export * from './resources.ts';
export { TERMINAL_PHASES, isTerminalPhase } from '../storyrun.ts';
export { RecordError, defineTable, numericColumn, timestampColumn, uuidColumn, type Table } from './records/table.ts';
export * from './records/execution-sessions.ts';
export * from './records/execution-events.ts';
export * from './records/decision-queue.ts';
export * from './records/daemon-runs.ts';
export * from './records/pr-review-queue.ts';
export * from './records/cost.ts';
export * from './records/budgets.ts';
export * from './records/dashboard.ts';
export * from './budget-confirmation.ts';
export * from './records/work-queue.ts';
export * from './records/notifications.ts';
