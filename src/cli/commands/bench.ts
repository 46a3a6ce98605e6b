import { Command, Option } from 'commander';
import { collect, intOption } from '../options.js';

const started = Date.now();
const log = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);

/**
 * `bench`: the first Ctrl-C stops the current workload, keeps the results and tears down;
 * a second one cleans up by run id at once and exits 130.
 */
export function benchCommand(): Command {
  return new Command('bench')
    .description('runs a scenario and writes a run directory (its path is printed last)')
    .requiredOption('--scenario <name|file>', 'scenario name (see `scenarios`) or YAML file')
    .addOption(new Option('--provider <name>', 'override the scenario provider').choices(['local', 'kind', 'existing']))
    .option('--set <path=value>', 'override a scenario field, e.g. services.count=1000 (repeatable)', collect, [])
    .option('--repeat <n>', 'run every variant n times', intOption(1, 100))
    .option('--out <dir>', 'results root', 'results')
    .option('--dry-run', 'print the plan and the provider setup; create nothing')
    .option('--keep', 'leave the system under test in place after the run (clean it with `clean`)')
    .option('--context <name>', 'existing provider: kubeconfig context to use')
    .option('--yes', 'existing provider: confirm a context whose name does not start with kind-')
    .action(async (o: { scenario: string; provider?: string; set: string[]; repeat?: number; out: string; dryRun?: boolean; keep?: boolean; context?: string; yes?: boolean }) => {
      const controller = new AbortController();
      let runId: string | undefined;
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1) {
          log(`${sig}: stopping; results so far are kept (press Ctrl-C again to clean up at once)`);
          controller.abort();
          return;
        }
        log('second interrupt: removing everything of this run now');
        void (runId ? import('../../providers/local/cleanup.js').then((m) => m.cleanLocalRun(runId!)) : Promise.resolve([])).finally(() => process.exit(130));
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        // loaded here so that agents and quick commands don't pay for the whole runner
        const [{ runBench }, { registerAll }] = await Promise.all([import('../../runner/run.js'), import('../register.js')]);
        registerAll();
        const outcome = await runBench({ ...o, sets: o.set, signal: controller.signal, log, onRunId: (id) => { runId = id; } });
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
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
