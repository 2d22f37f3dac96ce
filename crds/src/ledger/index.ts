// The cost ledger every process shares (the runner reserves and settles, the
// operator reads usage and sweeps dead holders): budget periods in a Budget's
// time zone, and the reservation ledger over the story cap and the Budgets.
export * from './periods.ts';
export * from './ledger.ts';
export * from './usage.ts';
