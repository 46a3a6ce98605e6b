import { Command } from 'commander';
import { DiscoError } from '../core/errors.js';
import { addCommands } from './commands/index.js';

/** "error: <message> (<hint>)", one line per problem when a scenario has several. */
export function formatError(err: unknown): string {
  if (err instanceof DiscoError) {
    const hint = err.hint ? ` (${err.hint})` : '';
    if (err.problems.length > 1) return `error: ${err.message.split('\n')[0]}${hint}\n${err.problems.map((p) => `error: ${p}`).join('\n')}`;
    return `error: ${err.message}${hint}`;
  }
  return `error: ${err instanceof Error ? err.message : String(err)}`;
}

export function buildProgram(): Command {
  const program = new Command('discobench')
    .description('benchmarks and load-tests Kubernetes service discovery')
    .version('0.1.0')
    // lets `vm` pass everything after its command through untouched (npm run vm -- npm run bench -- ...)
    .enablePositionalOptions();
  addCommands(program);
  // subcommands don't inherit these: without it a bad flag would exit 1 from inside commander
  const apply = (cmd: Command) => {
    cmd.exitOverride().configureOutput({ writeErr: (text) => process.stderr.write(text) }).showHelpAfterError('(run with --help for usage)');
    cmd.commands.forEach(apply);
  };
  apply(program);
  return program;
}
