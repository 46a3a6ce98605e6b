import { Command, Option } from 'commander';
import { PROVIDER_NAMES } from '../../scenario/provider-names.js';
import type { BenchOptions } from '../../runner/run.js';
import { Interrupts } from '../interrupt.js';
import { log } from '../log.js';
import { collect, intOption } from '../options.js';

/**
 * bench's Ctrl-C: the first stops the current workload, keeps the results and tears down in
 * order; the second runs the provider's own clean for this run id (local: its namespaces, kind:
 * its cluster, existing: its namespace) and exits 130. Apart from process signals so that tests
 * can drive it with providers whose commands are recorded.
 */
export function benchInterrupts(logTo: (message: string) => void, exit?: (code: number) => void): { interrupts: Interrupts; onStarted: NonNullable<BenchOptions['onStarted']> } {
  let clean: (() => Promise<string[]>) | undefined;
  const interrupts = new Interrupts({
    log: logTo,
    exit,
    stopping: 'stopping; results so far are kept (press Ctrl-C again to clean up at once)',
    cleanNow: async () => (clean ? `removed: ${(await clean()).join(', ') || 'nothing was left'}` : 'nothing was created yet'),
  });
  return { interrupts, onStarted: (run) => { clean = run.clean; } };
}

export function benchCommand(): Command {
  return new Command('bench')
    .description('runs a scenario and writes a run directory (its path is printed last)')
    .requiredOption('--scenario <name|file>', 'scenario name (see `scenarios`) or YAML file')
    .addOption(new Option('--provider <name>', 'override the scenario provider').choices(PROVIDER_NAMES))
    .option('--set <path=value>', 'override a scenario field, e.g. services.count=1000 (repeatable)', collect, [])
    .option('--repeat <n>', 'run every variant n times', intOption(1, 100))
    .option('--out <dir>', 'results root', 'results')
    .option('--dry-run', 'print the plan and the provider setup; create nothing')
    .option('--keep', 'leave the system under test in place after the run (clean it with `clean`)')
    .option('--context <name>', 'existing provider: kubeconfig context to use')
    .option('--yes', 'existing provider: confirm a context whose name does not start with kind-')
    .action(async (o: { scenario: string; provider?: string; set: string[]; repeat?: number; out: string; dryRun?: boolean; keep?: boolean; context?: string; yes?: boolean }) => {
      const { interrupts, onStarted } = benchInterrupts(log);
      interrupts.listen();
      try {
        // loaded here so that agents and quick commands don't pay for the whole runner
        const [{ runBench }, { registerAll }] = await Promise.all([import('../../runner/run.js'), import('../register.js')]);
        registerAll();
        const outcome = await runBench({ ...o, sets: o.set, signal: interrupts.signal, log, onStarted });
        if (outcome.plan) {
          process.stdout.write(`${outcome.plan.join('\n')}\n`);
          return;
        }
        const run = outcome.run!;
        log(`run ${run.runId} ${run.status}: ${run.variants.length} variant(s), ${run.variants.filter((v) => v.status === 'completed').length} completed`);
        process.stdout.write(`${outcome.dir}\n`);
        const missing = outcome.skipped?.[0];
        if (missing) {
          process.stderr.write(`error: ${missing.message}${missing.hint ? ` (${missing.hint})` : ''}; the other variants ran\n`);
          process.exitCode = missing.exitCode;
        } else if (run.status !== 'completed') process.exitCode = 1;
      } finally {
        interrupts.dispose();
      }
    });
}
