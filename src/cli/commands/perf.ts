import { Command } from 'commander';
import { InterruptedError, UsageError } from '../../core/errors.js';
import { deleteTrackedNetnsSync } from '../../perf/netns.js';
import { runPerf } from '../../perf/run.js';
import { perfJson, renderPerfTable } from '../../perf/table.js';
import { BUDGET_NAMES, type BudgetName } from '../../perf/budgets.js';
import { RATIO_NAMES, SHORT_NAMES, type RatioName } from '../../perf/targets.js';
import { Interrupts } from '../interrupt.js';
import { log } from '../log.js';


type PerfItem = RatioName | BudgetName;
const ALL: readonly PerfItem[] = [...RATIO_NAMES, ...BUDGET_NAMES];

/** --only accepts the ratio and budget names or their short forms (dns, http, iptables, nftables, smoke, local5000, rss). */
export function parseOnly(value: string | undefined): PerfItem[] {
  if (value === undefined) return [...ALL];
  const out = new Set<PerfItem>();
  for (const raw of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const name = (ALL as readonly string[]).includes(raw) ? (raw as PerfItem) : SHORT_NAMES[raw];
    if (!name) throw new UsageError(`--only: unknown pair ${raw}`, `use ${[...Object.keys(SHORT_NAMES), ...ALL].join(', ')}`);
    out.add(name);
  }
  if (out.size === 0) throw new UsageError('--only names no pair', `use ${Object.keys(SHORT_NAMES).join(', ')}`);
  return ALL.filter((n) => out.has(n));
}

/**
 * `perf`: the harness against reference tools. A missed target is printed
 * as FAIL but exits 0 (the figures are the product, and a loaded machine misses honestly); a
 * missing reference tool exits 4 naming its package. Ctrl-C stops the current pair, tears its
 * namespaces down, prints what was measured and exits 130; a second Ctrl-C deletes them at once.
 */
export function perfCommand(): Command {
  return new Command('perf')
    .description('the harness measured against reference tools: dnsperf, wrk, iptables-restore, nft -f (ratios with targets)')
    .option('--json', 'print { ratios, budgets, details } as JSON')
    .option('--only <names>', `comma-separated pairs and budgets: ${Object.keys(SHORT_NAMES).join(', ')} (or their full names)`)
    .option('--quick', 'shorter rounds (5 s, 2 rounds) and 2000 instead of 10000 Services for the sync pairs')
    .option('--rounds <n>', 'rounds per pair (default 3; --quick 2)')
    .addHelpText('after', [
      '',
      'Targets: dns and http ratios >= 0.8; sync ratios <= 1.1 (ours / reference);',
      'budgets: smoke < 60 s and iptables-5000 < 180 s end to end, harness peak RSS at 30k Services < 1 GiB.',
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
      const interrupts = new Interrupts({
        log,
        stopping: 'stopping after cleaning up (press Ctrl-C again to delete the namespaces at once)',
        cleanNow: () => {
          const gone = deleteTrackedNetnsSync();
          return `deleted ${gone.length} namespace(s): ${gone.join(' ')}`;
        },
      }).listen();
      try {
        const report = await runPerf({ only, quick: Boolean(o.quick), rounds, signal: interrupts.signal, log });
        // pairs measured before an interrupt are printed all the same
        process.stdout.write(o.json ? `${JSON.stringify(perfJson(report), null, 2)}\n` : renderPerfTable(report));
        if (interrupts.signal.aborted) throw new InterruptedError('perf interrupted', 'the pairs measured so far are printed above; no namespace is left behind');
      } finally {
        interrupts.dispose();
        deleteTrackedNetnsSync();
      }
    });
}
