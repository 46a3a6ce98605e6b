import { Command } from 'commander';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { deleteTrackedNetnsSync } from '../../perf/netns.js';
import { runPerf } from '../../perf/run.js';
import { perfJson, renderPerfTable } from '../../perf/table.js';
import { RATIO_NAMES, SHORT_NAMES, type RatioName } from '../../perf/targets.js';

const started = Date.now();
const log = (message: string) => process.stderr.write(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s] ${message}\n`);

/** --only accepts the ratio names or their short forms (dns, http, iptables, nftables). */
export function parseOnly(value: string | undefined): RatioName[] {
  if (value === undefined) return [...RATIO_NAMES];
  const out = new Set<RatioName>();
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = (RATIO_NAMES as readonly string[]).includes(raw) ? (raw as RatioName) : SHORT_NAMES[raw];
    if (!name) throw new UsageError(`--only: unknown pair ${raw}`, `use ${[...Object.keys(SHORT_NAMES), ...RATIO_NAMES].join(', ')}`);
    out.add(name);
  }
  if (out.size === 0) throw new UsageError('--only names no pair', `use ${Object.keys(SHORT_NAMES).join(', ')}`);
  return RATIO_NAMES.filter((n) => out.has(n));
}

/**
 * `perf`: the harness against reference tools (DESIGN.md section 9). A missed target is printed
 * as FAIL but exits 0 (the figures are the product, and a loaded machine misses honestly); a
 * missing reference tool exits 4 naming its package. Ctrl-C stops the current pair, tears its
 * namespaces down, prints what was measured and exits 130; a second Ctrl-C deletes them at once.
 */
export function perfCommand(): Command {
  return new Command('perf')
    .description('the harness measured against reference tools: dnsperf, wrk, iptables-restore, nft -f (ratios with targets)')
    .option('--json', 'print { ratios, details } as JSON')
    .option('--only <names>', `comma-separated pairs: ${Object.keys(SHORT_NAMES).join(', ')} (or the ratio names)`)
    .option('--quick', 'shorter rounds (5 s, 2 rounds) and 2000 instead of 10000 Services for the sync pairs')
    .option('--rounds <n>', 'rounds per pair (default 3, the 10k-Service sync pairs 1; --quick 2)')
    .addHelpText('after', [
      '',
      'Targets (DESIGN.md section 9): dns and http ratios >= 0.8; sync ratios <= 1.1 (ours / reference).',
      'A missed target prints FAIL and still exits 0: the figures are the result. Exit 4 when a',
      'reference tool is missing (its Debian package is named), 130 when interrupted (pairs measured so',
      'far are printed). Namespaces are named disco-perf<pid>-* and always deleted.',
    ].join('\n'))
    .action(async (o: { json?: boolean; only?: string; quick?: boolean; rounds?: string }) => {
      const only = parseOnly(o.only);
      let rounds: number | undefined;
      if (o.rounds !== undefined) {
        rounds = Number(o.rounds);
        if (!Number.isInteger(rounds) || rounds < 1 || rounds > 50) throw new UsageError(`--rounds must be an integer 1..50 (got ${o.rounds})`);
      }
      const controller = new AbortController();
      let interrupts = 0;
      const onSignal = (sig: NodeJS.Signals) => {
        interrupts++;
        if (interrupts === 1) {
          log(`${sig}: stopping after cleaning up (press Ctrl-C again to delete the namespaces at once)`);
          controller.abort();
          return;
        }
        const gone = deleteTrackedNetnsSync();
        log(`deleted ${gone.length} namespace(s): ${gone.join(' ')}`);
        process.exit(130);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      try {
        const report = await runPerf({ only, quick: Boolean(o.quick), rounds, signal: controller.signal, log });
        // pairs measured before an interrupt are printed all the same
        process.stdout.write(o.json ? `${JSON.stringify(perfJson(report), null, 2)}\n` : renderPerfTable(report));
        if (controller.signal.aborted) throw new InterruptedError('perf interrupted', 'the pairs measured so far are printed above; no namespace is left behind');
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
        deleteTrackedNetnsSync();
      }
    });
}
