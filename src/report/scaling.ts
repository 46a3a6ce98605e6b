/**
 * Scaling analysis for runs whose variants vary services.count: per metric and per line (the
 * other params, e.g. proxy=iptables), the measured points, the best growth model, a projection
 * to a larger count and headroom under a limit. Both summary.md and report.html show these.
 */
import type { RunResult } from '../results/model.js';
import { metricInfo } from '../metrics/catalog.js';
import { aggregate, groupVariants, metricNames, type VariantGroup } from './variants.js';
import { fitBest, headroom, predict, type Fit } from './projection.js';

export const COUNT_PARAM = 'services.count';
/** The count capacity questions are asked at (the questions users ask: "sync at 50k Services ~ N s"). */
export const PROJECT_TO = 50_000;

/** Capacity questions: the largest Service count under a limit. */
export const HEADROOM_LIMITS: Array<{ metric: string; stat: 'p99' | 'value'; limit: number; text: string }> = [
  { metric: 'tcp.connect.latency', stat: 'p99', limit: 1, text: 'tcp.connect.latency p99 under 1 ms' },
  { metric: 'proxy.sync.duration', stat: 'value', limit: 1000, text: 'proxy.sync.duration under 1 s' },
];

/** Below this adjusted R² a fit does not explain the points well enough to extrapolate. */
export const MIN_FIT_QUALITY = 0.8;

export interface ScalingLine {
  label: string;
  points: Array<[number, number]>;
  /** the best growing fit, only when good enough to extrapolate */
  fit?: Fit;
  /** why there is no fit: "no growth with the Service count", "poor fit (adj. R² 0.45)" */
  noFit?: string;
  /** the fit evaluated at PROJECT_TO, when PROJECT_TO is beyond the measured range */
  projection?: number;
}

export interface ScalingMetric {
  metric: string;
  unit: string;
  /** which figure is fitted: the headline value (mean / gauge value) or the p99 */
  stat: 'value' | 'p99';
  lines: ScalingLine[];
}

export interface Headroom {
  metric: string;
  line: string;
  text: string;
  model: string;
  /** undefined: already over the limit at the smallest measured count; Infinity: never within 1M */
  services?: number;
}

export interface Scaling {
  metrics: ScalingMetric[];
  headroom: Headroom[];
  projectTo: number;
}

function countOf(g: VariantGroup): number | undefined {
  const v = g.params[COUNT_PARAM];
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function lineLabel(g: VariantGroup, others: string[]): string {
  const parts = others.filter((k) => k in g.params).map((k) => `${k}=${typeof g.params[k] === 'string' ? g.params[k] : JSON.stringify(g.params[k])}`);
  return parts.length > 0 ? parts.join(', ') : 'all';
}

function fitLine(label: string, points: Array<[number, number]>): ScalingLine {
  points.sort((a, b) => a[0] - b[0]);
  const line: ScalingLine = { label, points };
  if (points.length < 2) return line;
  if (points.every((p) => p[1] === 0)) {
    line.noFit = 'all zero';
    return line;
  }
  const res = fitBest(points.map((p) => p[0]), points.map((p) => p[1]));
  if (!res) {
    line.noFit = 'no growth with the Service count';
  } else if (res.best.adjustedR2 < MIN_FIT_QUALITY) {
    line.noFit = `poor fit (best: ${res.best.model}, adj. R² ${res.best.adjustedR2.toFixed(2)})`;
  } else {
    line.fit = res.best;
    if (PROJECT_TO > points[points.length - 1]![0]) line.projection = predict(res.best, PROJECT_TO);
  }
  return line;
}

/** undefined when fewer than two distinct Service counts were measured. */
export function analyzeScaling(run: RunResult): Scaling | undefined {
  const groups = groupVariants(run).filter((g) => countOf(g) !== undefined);
  if (new Set(groups.map(countOf)).size < 2) return undefined;
  const keys = [...new Set(groups.flatMap((g) => Object.keys(g.params)))];
  const others = keys.filter((k) => k !== COUNT_PARAM && k !== 'repeat' && new Set(groups.map((g) => JSON.stringify(g.params[k]))).size > 1);
  const byLine = new Map<string, VariantGroup[]>();
  for (const g of groups) {
    const l = lineLabel(g, others);
    byLine.set(l, [...(byLine.get(l) ?? []), g]);
  }
  const metrics: ScalingMetric[] = [];
  const rooms: Headroom[] = [];
  for (const metric of metricNames(run)) {
    const stats: Array<'value' | 'p99'> = HEADROOM_LIMITS.some((h) => h.metric === metric && h.stat === 'p99') ? ['value', 'p99'] : ['value'];
    for (const stat of stats) {
      const lines: ScalingLine[] = [];
      let unit = metricInfo(metric).unit;
      for (const [label, gs] of byLine) {
        const points: Array<[number, number]> = [];
        for (const g of gs) {
          const a = aggregate(g, metric);
          if (!a) continue;
          unit = a.unit;
          points.push([countOf(g)!, stat === 'p99' ? a.p99 : a.value]);
        }
        if (points.length > 0) lines.push(fitLine(label, points));
      }
      if (!lines.some((l) => l.points.length >= 2) || lines.every((l) => l.points.every((p) => p[1] === 0))) continue;
      metrics.push({ metric, unit, stat, lines });
      for (const h of HEADROOM_LIMITS.filter((x) => x.metric === metric && x.stat === stat)) {
        for (const l of lines) {
          if (!l.fit) continue;
          rooms.push({ metric, line: l.label, text: h.text, model: l.fit.model, services: headroom(l.fit, h.limit, l.points[0]![0]) });
        }
      }
    }
  }
  return { metrics, headroom: rooms, projectTo: PROJECT_TO };
}

/** "proxy.sync.duration at 50,000 Services ~ 12.3 s" in the metric's natural unit. */
export function humanValue(v: number, unit: string): string {
  const r = (x: number) => Number(x.toPrecision(3)).toLocaleString('en-US');
  if (unit === 'ms' && Math.abs(v) >= 7_200_000) return `${r(v / 3_600_000)} h`;
  if (unit === 'ms' && Math.abs(v) >= 120_000) return `${r(v / 60_000)} min`;
  if (unit === 'ms' && Math.abs(v) >= 1000) return `${r(v / 1000)} s`;
  if (unit === 'ms' && Math.abs(v) < 1) return `${r(v * 1000)} µs`;
  return unit === 'count' || unit === 'ratio' ? r(v) : `${r(v)} ${unit}`.trim();
}

export function projectionSentences(s: Scaling): string[] {
  const out: string[] = [];
  for (const m of s.metrics) {
    for (const l of m.lines) {
      if (!l.fit || l.projection === undefined) continue;
      const name = m.stat === 'p99' ? `${m.metric} p99` : m.metric;
      const who = l.label === 'all' ? '' : ` (${l.label})`;
      const beyond = s.projectTo / l.points[l.points.length - 1]![0];
      out.push(`${name}${who} at ${s.projectTo.toLocaleString('en-US')} Services ~ ${humanValue(l.projection, m.unit)} (${l.fit.model} fit, adj. R² ${fitQuality(l.fit)}, ${l.points.length} points, ${fmtFactor(beyond)}× the largest count measured)`);
    }
  }
  for (const h of s.headroom) {
    const who = h.line === 'all' ? '' : ` (${h.line})`;
    const n = h.services === undefined ? 'none: over the limit at the smallest count measured'
      : h.services === Infinity ? 'more than 1,000,000' : `~ ${h.services.toLocaleString('en-US')}`;
    out.push(`largest Service count with ${h.text}${who}: ${n} (${h.model} fit)`);
  }
  return out;
}

function fmtFactor(f: number): string {
  return f >= 10 ? Math.round(f).toString() : f.toFixed(1);
}

export function fitQuality(f: Fit): string {
  return Number.isFinite(f.adjustedR2) ? f.adjustedR2.toFixed(3) : 'n/a (2 points)';
}

export const EXTRAPOLATION_CAVEAT = 'Projections extrapolate a fitted curve beyond the measured Service counts; treat them as an estimate, not a measurement.';
