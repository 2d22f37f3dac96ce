#!/usr/bin/env node
// The kubectl plugin: kubectl finds kubectl-nightshift on PATH and runs it
// for `kubectl nightshift …` (npm i -g puts it there; so does krew).
import { run } from './commands.ts';

process.exitCode = await run(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
});
