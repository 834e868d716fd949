#!/usr/bin/env node
// First: a V8 setting that must be in place before the analysis allocates.
import './young-generation.js';
import { EXIT_BAD_INPUT, main } from './main.js';

// `closetrace ... | head`: once the reader has gone, stop quietly, as Unix tools do (no EPIPE trace).
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Never a stack trace for users: one line, exit 2.
    process.stderr.write(`closetrace: internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = EXIT_BAD_INPUT;
  },
);
