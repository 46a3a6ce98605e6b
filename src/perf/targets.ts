import type { BudgetName } from './budgets.js';
import { round } from './stats.js';

/** The four ratios, each ours / the reference tool on the same work. */
export const RATIO_NAMES = ['dns.agent_vs_dnsperf', 'http.agent_vs_wrk', 'sync.iptables_10k_vs_restore', 'sync.nftables_10k_vs_nft'] as const;
export type RatioName = (typeof RATIO_NAMES)[number];

export interface Target {
  /** '>=': a rate, higher is better; '<=': a duration, lower is better */
  op: '>=' | '<=';
  value: number;
  /** what the reference tool is, for the table */
  reference: string;
}

export const TARGETS: Record<RatioName, Target> = {
  'dns.agent_vs_dnsperf': { op: '>=', value: 0.8, reference: 'dnsperf QPS' },
  'http.agent_vs_wrk': { op: '>=', value: 0.8, reference: 'wrk RPS' },
  'sync.iptables_10k_vs_restore': { op: '<=', value: 1.1, reference: 'iptables-nft-restore time' },
  'sync.nftables_10k_vs_nft': { op: '<=', value: 1.1, reference: 'nft -f time' },
};

/** Short names accepted by --only, besides the full ratio and budget names. */
export const SHORT_NAMES: Record<string, RatioName | BudgetName> = {
  dns: 'dns.agent_vs_dnsperf', http: 'http.agent_vs_wrk', iptables: 'sync.iptables_10k_vs_restore', nftables: 'sync.nftables_10k_vs_nft',
  smoke: 'run.smoke_seconds', local5000: 'run.local_5000_seconds', rss: 'memory.harness_rss_30k_mib',
};

/** ours / reference, rounded; NaN when either side measured nothing. */
export function ratio(ours: number, reference: number): number {
  if (!(ours > 0) || !(reference > 0)) return NaN;
  return round(ours / reference, 3);
}

export type Verdict = 'PASS' | 'FAIL';

/** A ratio that could not be computed (NaN) fails. */
export function verdict(name: RatioName, r: number): Verdict {
  const t = TARGETS[name];
  if (!Number.isFinite(r)) return 'FAIL';
  return (t.op === '>=' ? r >= t.value : r <= t.value) ? 'PASS' : 'FAIL';
}

/** What `npm run perf` prints and writes: ratios against the reference tools, budgets, verdicts. */
export interface PerfReport {
  /** ours / reference; null when the pair could not be measured (JSON has no NaN) */
  ratios: Partial<Record<RatioName, number | null>>;
  /** absolute figures with an upper bound (seconds, MiB); null when not measured */
  budgets: Partial<Record<BudgetName, number | null>>;
  verdicts: Partial<Record<RatioName | BudgetName, Verdict>>;
  details: Record<string, unknown>;
}
