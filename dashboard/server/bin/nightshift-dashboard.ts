#!/usr/bin/env node
import { main } from '../src/cli.ts';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    console.error(`nightshift-dashboard: ${error.stack ?? error.message}`);
    process.exitCode = 1;
  },
);
