/**
 * Repeats of one variant share its params; these helpers group them, name them for humans and
 * aggregate their figures, so every view shows one row per variant, not per repeat.
 */
import type { MetricResult, RunResult, VariantResult } from '../results/model.js';
import { distributionOf, mergeEncoded, type Distribution, type Histogram } from '../metrics/histogram.js';

/** Strips a trailing repeat marker ("-r2", "#2", "/repeat-3", "@2") from a variant id. */
export function baseVariantId(id: string): string {
  return id.replace(/([-_#/@.]?(r|rep|repeat)[-_]?\d+|[#@]\d+)$/i, '') || id;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().filter((k) => k !== 'repeat').map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** The matching key of a variant: its params (repeat excluded), else its id without the repeat. */
export function variantKey(v: VariantResult): string {
  return Object.keys(v.params ?? {}).filter((k) => k !== 'repeat').length > 0 ? canonical(v.params) : `id:${baseVariantId(v.id)}`;
}

export interface VariantGroup {
  key: string;
  label: string;
  params: Record<string, unknown>;
  /** every repeat, in run order, whatever its status */
  repeats: VariantResult[];
  /** the repeats that completed (compare uses only these) */
  completed: VariantResult[];
  /** the repeats reports show: the completed ones, or when none completed, whatever was measured */
  measured: VariantResult[];
}

function paramText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Groups a run's variants by key; labels show only the params that differ between groups. */
export function groupVariants(run: RunResult): VariantGroup[] {
  const byKey = new Map<string, VariantGroup>();
  for (const v of run.variants) {
    const key = variantKey(v);
    let g = byKey.get(key);
    if (!g) {
      g = { key, label: '', params: v.params ?? {}, repeats: [], completed: [], measured: [] };
      byKey.set(key, g);
    }
    g.repeats.push(v);
    if (v.status === 'completed') g.completed.push(v);
  }
  const groups = [...byKey.values()];
  const keys = [...new Set(groups.flatMap((g) => Object.keys(g.params)))].filter((k) => k !== 'repeat');
  const varying = keys.filter((k) => new Set(groups.map((g) => canonical(g.params[k]))).size > 1);
  for (const g of groups) {
    const parts = varying.filter((k) => k in g.params).map((k) => `${k}=${paramText(g.params[k])}`);
    g.label = parts.length > 0 ? parts.join(', ') : baseVariantId(g.repeats[0]!.id);
    g.measured = g.completed.length > 0 ? g.completed : g.repeats;
    // figures of a variant that never completed are shown, marked, since a partial run keeps them
    if (g.completed.length === 0) g.label += ` (${g.repeats[0]!.status})`;
  }
  return groups;
}

/** Metric names in catalog-like order: as first seen across the run's variants. */
export function metricNames(run: RunResult): string[] {
  const names = new Set<string>();
  for (const v of run.variants) for (const m of Object.keys(v.metrics ?? {})) names.add(m);
  return [...names];
}

export interface Aggregate {
  unit: string;
  /** repeats that measured the metric */
  n: number;
  /** merged distribution when every repeat has a histogram */
  dist?: Distribution;
  /** the merged histogram itself (µs), for percentile curves */
  hist?: Histogram;
  /** the headline figure: merged mean for distributions, mean of the repeats' values for gauges */
  value: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p99: number;
  count: number;
}

/** Combines a metric over a group's measured repeats; histograms merge exactly. */
export function aggregate(group: VariantGroup, metric: string): Aggregate | undefined {
  const ms: MetricResult[] = group.measured.map((v) => v.metrics?.[metric]).filter((m): m is MetricResult => m !== undefined);
  if (ms.length === 0) return undefined;
  const unit = ms[0]!.unit;
  const hdrs = ms.map((m) => m.hdr).filter((h): h is string => typeof h === 'string');
  if (hdrs.length === ms.length) {
    const hist = mergeEncoded(hdrs);
    const dist = distributionOf(hist);
    return { unit, n: ms.length, dist, hist, value: dist.mean, min: dist.min, max: dist.max, p50: dist.p50, p90: dist.p90, p99: dist.p99, count: dist.count };
  }
  const avg = (f: (m: MetricResult) => number) => ms.reduce((s, m) => s + f(m), 0) / ms.length;
  return {
    unit, n: ms.length, value: avg((m) => m.value),
    min: Math.min(...ms.map((m) => m.value)), max: Math.max(...ms.map((m) => m.value)),
    p50: avg((m) => m.p50), p90: avg((m) => m.p90), p99: avg((m) => m.p99),
    count: ms.reduce((s, m) => s + m.count, 0),
  };
}

/** Formats a figure with three significant digits and thousands separators for large ones. */
export function fmt(v: number | undefined): string {
  if (v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  return Number(v.toPrecision(3)).toString();
}
