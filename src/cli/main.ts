#!/usr/bin/env node
import { CommanderError } from 'commander';
import { exitCodeOf } from '../core/errors.js';
import { buildProgram, formatError } from './program.js';

/** The only place that prints errors and picks exit codes (docs/architecture.md, "CLI and exit codes"). */
async function main(): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(process.argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`${formatError(err)}\n`);
    process.exitCode = exitCodeOf(err);
  }
}

void main();
