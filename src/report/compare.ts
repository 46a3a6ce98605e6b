/**
 * Base vs candidate, per metric and variant (matched by params, repeats pooled). A change is a
 * regression only when it is worse in the metric's direction, larger than the threshold, and
 * significant: Welch's t-test over per-repeat values when both sides have two or more repeats,
 * otherwise a z-test from the HDR histograms: the quantile's order-statistic standard error for
 * p50/p99, the mean's standard error for the mean (both assume independent samples within a run);
 * otherwise no test ("n/a": never a regression). A single value per run (a gauge, a capacity
 * found by a search) says nothing of the run-to-run spread: only repeats test it.
 */
import type { MetricResult, RunResult } from '../results/model.js';
import { metricInfo, type Better } from '../metrics/catalog.js';
import { mergeEncoded } from '../metrics/histogram.js';
import { groupVariants, metricNames, type VariantGroup } from './variants.js';
import { mean, meanStdError, quantileStdError, welchTTest, zTest } from './stats.js';

export const ALPHA = 0.05;
export const DEFAULT_THRESHOLD_PCT = 10;

export type Stat = 'p50' | 'p99' | 'mean' | 'value';
export type TestName = 'welch' | 'hdr' | 'n/a';
export type Verdict = 'regression' | 'improvement' | 'worse, not significant' | 'better, not significant' | 'within threshold' | 'unchanged';

export interface ComparisonRow {
  metric: string;
  stat: Stat;
  unit: string;
  better: Better;
  variant: string;
  /** per-repeat figures */
  baseValues: number[];
  candidateValues: number[];
  base: number;
  candidate: number;
  /** (candidate - base) / base in percent; ±Infinity when base is 0 */
  changePct: number;
  worse: boolean;
  test: TestName;
  p?: number;
  significant: boolean;
  regression: boolean;
  verdict: Verdict;
}

export interface RunRef {
  runId: string;
  scenario: string;
  provider: string;
  status: string;
}

export interface Comparison {
  base: RunRef;
  candidate: RunRef;
  thresholdPct: number;
  alpha: number;
  rows: ComparisonRow[];
  regressions: ComparisonRow[];
  onlyInBase: string[];
  onlyInCandidate: string[];
}

const ref = (r: RunResult): RunRef => ({ runId: r.runId, scenario: r.scenario.name, provider: r.provider, status: r.status });

function metricsOf(g: VariantGroup, metric: string): MetricResult[] {
  return g.completed.map((v) => v.metrics?.[metric]).filter((m): m is MetricResult => m !== undefined);
}

function statOf(m: MetricResult, stat: Stat): number {
  return m[stat];
}

function hdrsOf(ms: MetricResult[]): string[] | undefined {
  const hs = ms.map((m) => m.hdr).filter((h): h is string => typeof h === 'string');
  return hs.length === ms.length && hs.length > 0 ? hs : undefined;
}

export function changePct(base: number, cand: number): number {
  if (base === cand) return 0;
  if (base === 0) return cand > 0 ? Infinity : -Infinity;
  return ((cand - base) / Math.abs(base)) * 100;
}

function compareStat(metric: string, stat: Stat, variant: string, b: MetricResult[], c: MetricResult[], thresholdPct: number): ComparisonRow {
  const info = metricInfo(metric);
  const baseValues = b.map((m) => statOf(m, stat));
  const candidateValues = c.map((m) => statOf(m, stat));
  const base = mean(baseValues);
  const candidate = mean(candidateValues);
  let test: TestName = 'n/a';
  let p: number | undefined;
  const welch = welchTTest(baseValues, candidateValues);
  if (welch) {
    test = 'welch';
    p = welch.p;
  } else if (stat !== 'value') {
    const hb = hdrsOf(b);
    const hc = hdrsOf(c);
    if (hb && hc) {
      const [h1, h2] = [mergeEncoded(hb), mergeEncoded(hc)];
      const se = stat === 'mean' ? meanStdError : (h: typeof h1) => quantileStdError(h, stat === 'p50' ? 0.5 : 0.99);
      const [s1, s2] = [se(h1), se(h2)];
      if (Number.isFinite(s1) && Number.isFinite(s2)) {
        test = 'hdr';
        p = zTest(base, s1, candidate, s2).p;
      }
    }
  }
  const change = changePct(base, candidate);
  const worse = info.better === 'lower' ? candidate > base : candidate < base;
  const significant = p !== undefined && p < ALPHA;
  const beyond = Math.abs(change) > thresholdPct;
  const regression = worse && beyond && significant;
  const verdict: Verdict = change === 0 ? 'unchanged'
    : !beyond ? 'within threshold'
    : worse ? (significant ? 'regression' : 'worse, not significant')
    : significant ? 'improvement' : 'better, not significant';
  return { metric, stat, unit: b[0]?.unit || info.unit, better: info.better, variant, baseValues, candidateValues, base, candidate, changePct: change, worse, test, p, significant, regression, verdict };
}

export function compareRuns(base: RunResult, cand: RunResult, opts: { thresholdPct: number }): Comparison {
  // labels from both runs together, so a param that differs only between them still shows
  const labels = new Map(groupVariants({ ...cand, variants: [...base.variants, ...cand.variants] }).map((g) => [g.key, g.label]));
  const bg = new Map(groupVariants(base).map((g) => [g.key, g]));
  const cg = new Map(groupVariants(cand).map((g) => [g.key, g]));
  const metrics = [...new Set([...metricNames(base), ...metricNames(cand)])];
  const rows: ComparisonRow[] = [];
  for (const metric of metrics) {
    for (const [key, b] of bg) {
      const c = cg.get(key);
      if (!c) continue;
      const bm = metricsOf(b, metric);
      const cm = metricsOf(c, metric);
      if (bm.length === 0 || cm.length === 0) continue;
      const dist = (hdrsOf(bm) && hdrsOf(cm)) || metricInfo(metric).kind === 'distribution';
      for (const stat of (dist ? ['p50', 'p99', 'mean'] : ['value']) as Stat[]) {
        rows.push(compareStat(metric, stat, labels.get(key) ?? key, bm, cm, opts.thresholdPct));
      }
    }
  }
  return {
    base: ref(base),
    candidate: ref(cand),
    thresholdPct: opts.thresholdPct,
    alpha: ALPHA,
    rows,
    regressions: rows.filter((r) => r.regression),
    onlyInBase: [...bg.keys()].filter((k) => !cg.has(k)).map((k) => labels.get(k) ?? k),
    onlyInCandidate: [...cg.keys()].filter((k) => !bg.has(k)).map((k) => labels.get(k) ?? k),
  };
}
