import { requireTools } from '../core/exec.js';
import { DiscoError, messageOf } from '../core/errors.js';
import { measureHttpVsWrk } from './http.js';
import { measureDnsVsDnsperf } from './dns.js';
import { perfPrefix, trackNetns, untrackNetns } from './netns.js';
import { measureSyncVsTool, RESTORE_TOOL } from './sync.js';
import { pairFigures } from './table.js';
import { round } from './stats.js';
import { RATIO_NAMES, TARGETS, verdict, type PerfReport, type RatioName } from './targets.js';
import { BUDGET_NAMES, BUDGETS, budgetVerdict, harnessRss, timeScenario, type BudgetName, type BudgetResult } from './budgets.js';

/**
 * `npm run perf`: each pair of reference-tool ratios (perf/targets.ts) measured side by side in one invocation.
 * Pairs run one after the other (never two at once, they would share the 2 cores); a pair that
 * fails is reported with its error and a NaN ratio (verdict FAIL), the others still run.
 */
export interface PerfOptions {
  only: readonly (RatioName | BudgetName)[];
  /** shorter rounds and 2000 instead of 10000 Services for the sync pairs */
  quick: boolean;
  /** rounds per pair (default 3, quick 2) */
  rounds?: number;
  signal?: AbortSignal;
  log?: (message: string) => void;
}

export type { PerfReport };

/** The tools each pair needs, checked before anything is created, so a missing one exits 4 at once. */
const TOOLS: Record<RatioName | BudgetName, string[]> = {
  'dns.agent_vs_dnsperf': ['ip', 'dnsperf', 'unbound', 'unbound-control', 'unbound-checkconf'],
  'http.agent_vs_wrk': ['ip', 'iptables', 'wrk', 'nginx', 'ss'],
  'sync.iptables_10k_vs_restore': ['ip', 'nft', RESTORE_TOOL.iptables.file],
  'sync.nftables_10k_vs_nft': ['ip', 'nft'],
  // the scenarios check their own prerequisites (exit 4 naming the package)
  'run.smoke_seconds': [],
  'run.local_5000_seconds': [],
  'memory.harness_rss_30k_mib': [],
};

export async function checkPerfTools(only: readonly (RatioName | BudgetName)[]): Promise<void> {
  await requireTools([...new Set(only.flatMap((n) => TOOLS[n]))]);
}

export const SYNC_SERVICES = 10_000;
export const QUICK_SYNC_SERVICES = 2_000;

export async function runPerf(o: PerfOptions): Promise<PerfReport> {
  await checkPerfTools(o.only);
  const log = o.log ?? (() => undefined);
  const prefix = perfPrefix();
  const seconds = o.quick ? 5 : 10;
  const rounds = o.rounds ?? (o.quick ? 2 : 3);
  const syncServices = o.quick ? QUICK_SYNC_SERVICES : SYNC_SERVICES;
  // one 10k-Service transaction costs about two minutes here on each side, and the tool's own
  // run-to-run spread is tens of percent: three rounds each, so a median stands (about 25 min)
  const syncRounds = rounds;
  const report: PerfReport = { ratios: {}, budgets: {}, verdicts: {}, details: { run: { quick: o.quick, rounds, syncRounds, syncServices, note: 'rounds alternate between the two tools; medians compared' } } };
  const measurers: Record<RatioName, () => Promise<{ ratio: number; detail: Record<string, unknown> }>> = {
    'dns.agent_vs_dnsperf': async () => {
      const r = await measureDnsVsDnsperf({ netns: `${prefix}-dns`, services: 1000, durationMs: seconds * 1000, inflight: 64, rounds, signal: o.signal });
      return { ratio: r.ratio, detail: { ...r } };
    },
    'http.agent_vs_wrk': async () => {
      const httpPrefix = `${prefix}-http`;
      const names = [`${httpPrefix}-client`, `${httpPrefix}-node`, `${httpPrefix}-backend-0`];
      trackNetns(names);
      try {
        const opts = { prefix: httpPrefix, connections: 64, durationMs: seconds * 1000, keepAlive: true, workers: 1, wrkThreads: 1, backendWorkers: 1, rounds };
        const r = await measureHttpVsWrk(opts);
        const { agentInfo: _info, ...rest } = r;
        const ratio = round(r.ratio);
        return { ratio, detail: { ...rest, ratio, agentRps: Math.round(r.agentRps), wrkRps: Math.round(r.wrkRps), agentCpuUsPerRequest: round(r.agentCpuUsPerRequest, 1), wrkCpuUsPerRequest: round(r.wrkCpuUsPerRequest, 1), connections: opts.connections, keepAlive: opts.keepAlive, agentWorkers: opts.workers, wrkThreads: opts.wrkThreads, nginxWorkers: opts.backendWorkers, durationMs: opts.durationMs } };
      } finally {
        untrackNetns(names);
      }
    },
    'sync.iptables_10k_vs_restore': async () => {
      const r = await measureSyncVsTool({ mode: 'iptables', services: syncServices, rounds: syncRounds, prefix: `${prefix}-ipt`, signal: o.signal });
      return { ratio: r.ratio, detail: { ...r, ...(o.quick ? { quick: `${syncServices} Services instead of ${SYNC_SERVICES} (--quick)` } : {}) } };
    },
    'sync.nftables_10k_vs_nft': async () => {
      const r = await measureSyncVsTool({ mode: 'nftables', services: syncServices, rounds: syncRounds, prefix: `${prefix}-nft`, signal: o.signal });
      return { ratio: r.ratio, detail: { ...r, ...(o.quick ? { quick: `${syncServices} Services instead of ${SYNC_SERVICES} (--quick)` } : {}) } };
    },
  };
  for (const name of RATIO_NAMES) {
    if (!o.only.includes(name)) continue;
    if (o.signal?.aborted) break;
    const t0 = Date.now();
    log(`${name}: measuring`);
    try {
      const { ratio, detail } = await measurers[name]();
      report.ratios[name] = Number.isFinite(ratio) ? ratio : null;
      report.details[name] = { ...detail, target: `${TARGETS[name].op} ${TARGETS[name].value}`, seconds: Math.round((Date.now() - t0) / 1000) };
    } catch (err) {
      // a missing tool is the user's to fix, not a measurement: stop with exit 4
      if (err instanceof DiscoError && err.exitCode === 4) throw err;
      report.ratios[name] = null;
      report.details[name] = { error: o.signal?.aborted ? 'interrupted' : messageOf(err), target: `${TARGETS[name].op} ${TARGETS[name].value}` };
    }
    report.verdicts[name] = verdict(name, report.ratios[name] ?? NaN);
    // the figures go to the log as soon as measured, so an interrupted run still shows them
    log(`${name}: ${report.ratios[name] ?? 'not measured'} ${report.verdicts[name]} in ${Math.round((Date.now() - t0) / 1000)} s; ${pairFigures(report.details[name] as Record<string, unknown>)}`);
  }
  const budgets: Record<BudgetName, () => Promise<BudgetResult>> = {
    'run.smoke_seconds': () => timeScenario('smoke', o.signal),
    'run.local_5000_seconds': () => timeScenario('iptables-5000', o.signal),
    'memory.harness_rss_30k_mib': () => harnessRss(30_000, o.signal),
  };
  for (const name of BUDGET_NAMES) {
    if (!o.only.includes(name) || o.signal?.aborted) continue;
    log(`${name}: measuring`);
    const b = BUDGETS[name];
    try {
      const r = await budgets[name]();
      report.budgets[name] = r.value;
      report.details[name] = { ...r.detail, value: r.value, unit: b.unit, target: `< ${b.below}`, what: b.what };
    } catch (err) {
      if (err instanceof DiscoError && err.exitCode === 4) throw err;
      report.budgets[name] = null;
      report.details[name] = { error: o.signal?.aborted ? 'interrupted' : messageOf(err), target: `< ${b.below}`, what: b.what };
    }
    report.verdicts[name] = budgetVerdict(name, report.budgets[name] ?? NaN);
    log(`${name}: ${report.budgets[name] ?? 'not measured'} ${b.unit} ${report.verdicts[name]}`);
  }
  return report;
}
