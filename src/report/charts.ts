/**
 * Chart definitions as plain data (chart.js configs without functions), built once from a run and
 * drawn by the same viewer in report.html and in the per-chart pages Chromium turns into PNGs.
 */
import type { RunResult } from '../results/model.js';
import { metricInfo } from '../metrics/catalog.js';
import { aggregate, fmt, groupVariants, metricNames } from './variants.js';
import { analyzeScaling, fitQuality, humanValue, type Scaling } from './scaling.js';
import { predict } from './projection.js';
import { SCALE } from '../metrics/histogram.js';

export interface ChartSpec {
  /** file-name safe, unique: the PNG is charts/<id>.png */
  id: string;
  title: string;
  /** one line under the title: what the marks mean, projections */
  notes: string[];
  /** chart height in CSS pixels in report.html (many variants need more room) */
  height?: number;
  config: Record<string, unknown>;
}

/** Colour-blind-safe palette (Okabe-Ito). */
export const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442', '#000000'];

export function chartId(prefix: string, name: string): string {
  return `${prefix}${name}`.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/**
 * Chart labels: the last segment of each dotted param ("ndots=5" for workloads.dns.ndots=5),
 * unless two params would then read the same.
 */
export function shortLabel(label: string): string {
  const parts = label.split(', ').map((p) => p.replace(/^[^=]*\.([^.=]+)=/, '$1='));
  const keys = parts.map((p) => p.split('=')[0]);
  return new Set(keys).size === keys.length ? parts.join(', ') : label;
}

/** Bars of one colour per line of variants (their params apart from services.count). */
function colourKeys(groups: Array<{ params: Record<string, unknown> }>): number[] {
  const keys = groups.map((g) => JSON.stringify(Object.entries(g.params).filter(([k]) => k !== 'services.count' && k !== 'repeat').sort()));
  const distinct = [...new Set(keys)];
  return keys.map((k) => distinct.indexOf(k));
}

function axisTitle(text: string) {
  return { display: true, text };
}

/** Bars at p50 (or the value for gauges) with a whisker to p99 (or min..max across repeats). */
function barCharts(run: RunResult): ChartSpec[] {
  const groups = groupVariants(run);
  const out: ChartSpec[] = [];
  for (const metric of metricNames(run)) {
    const info = metricInfo(metric);
    const rows = groups.map((g) => ({ g, a: aggregate(g, metric) })).filter((r) => r.a !== undefined);
    // one variant: a bar says nothing its table row does not (distributions get a percentile curve)
    if (rows.length < 2) continue;
    const unit = rows[0]!.a!.unit || info.unit;
    const dist = rows.some((r) => r.a!.dist !== undefined);
    if (rows.every(({ a }) => a!.value === 0 && a!.max === 0 && a!.p99 === 0)) continue;
    const whiskers = rows.map(({ a }) => (dist ? { from: a!.p50, to: a!.p99, mark: a!.p90 } : a!.n > 1 ? { from: a!.min, to: a!.max } : null));
    const colours = colourKeys(rows.map((r) => r.g)).map((i) => PALETTE[i % PALETTE.length]!);
    const labels = rows.map((r) => shortLabel(r.g.label));
    const horizontal = rows.length > 6 || labels.some((l) => l.length > 22);
    const valueAxis = horizontal ? 'x' : 'y';
    const top = Math.max(...rows.map(({ a }) => (dist ? a!.p99 : Math.max(a!.value, a!.max))));
    out.push({
      id: chartId('', metric),
      title: `${metric} (${unit}, ${info.better} is better)`,
      notes: [dist ? 'bar: p50 · tick: p90 · whisker end: p99 (repeats merged)' : rows.some((r) => r.a!.n > 1) ? 'bar: mean of repeats · whisker: min..max across repeats' : 'bar: measured value'],
      height: horizontal ? Math.max(300, 60 + rows.length * 26) : undefined,
      config: {
        type: 'bar',
        data: {
          labels,
          datasets: [{
            label: dist ? `p50 (${unit})` : `${metric} (${unit})`,
            data: rows.map(({ a }) => (dist ? a!.p50 : a!.value)),
            backgroundColor: colours.map((c) => c + 'B3'),
            borderColor: colours,
            borderWidth: 1,
            maxBarThickness: 140,
            whiskers,
            tooltipExtra: rows.map(({ a }) => (dist ? `p90 ${fmt(a!.p90)} · p99 ${fmt(a!.p99)} · mean ${fmt(a!.value)} · n=${a!.n}` : `n=${a!.n} · min ${fmt(a!.min)} · max ${fmt(a!.max)}`)),
          }],
        },
        options: {
          indexAxis: valueAxis === 'x' ? 'y' : 'x',
          plugins: { legend: { display: false } },
          scales: { [valueAxis]: { beginAtZero: true, suggestedMax: top > 0 ? top * 1.08 : 1, title: axisTitle(unit), ticks: { maxRotation: 0 } } },
        },
      },
    });
  }
  return out;
}

const PERCENTILES: Array<[string, number]> = [['p10', 10], ['p25', 25], ['p50', 50], ['p75', 75], ['p90', 90], ['p95', 95], ['p99', 99], ['p99.9', 99.9], ['max', 100]];
const MAX_CURVES = 8;
/** below this many samples a percentile curve is a staircase of a few values; the table says it */
const MIN_SAMPLES = 50;

/** Latency by percentile from the merged histograms, one line per variant: the tail at a glance. */
function percentileCharts(run: RunResult): ChartSpec[] {
  const groups = groupVariants(run);
  const out: ChartSpec[] = [];
  for (const metric of metricNames(run)) {
    const rows = groups.map((g) => ({ g, a: aggregate(g, metric) })).filter((r) => r.a?.hist !== undefined && r.a.count >= MIN_SAMPLES);
    if (rows.length === 0 || rows.length > MAX_CURVES) continue;
    const info = metricInfo(metric);
    const unit = rows[0]!.a!.unit || info.unit;
    const datasets = rows.map(({ g, a }, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      const h = a!.hist!;
      return { label: shortLabel(g.label), data: PERCENTILES.map(([, p]) => (p === 100 ? h.maxValue : h.getValueAtPercentile(p)) / SCALE), borderColor: color, backgroundColor: color, borderWidth: 2, pointRadius: 3, tension: 0 };
    });
    const all = datasets.flatMap((d) => d.data).filter((v) => v > 0);
    const log = all.length > 0 && Math.max(...all) / Math.min(...all) > 20;
    out.push({
      id: chartId('percentiles-', metric),
      title: `${metric} by percentile (${unit}, ${info.better} is better)`,
      notes: [`from the merged HDR histograms${log ? '; logarithmic scale' : ''}`],
      config: {
        type: 'line',
        data: { labels: PERCENTILES.map(([l]) => l), datasets },
        options: {
          plugins: { legend: { display: rows.length > 1 } },
          scales: { y: { type: log ? 'logarithmic' : 'linear', beginAtZero: !log, title: axisTitle(unit) } },
        },
      },
    });
  }
  return out;
}

function scalingCharts(s: Scaling): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const m of s.metrics) {
    const datasets: unknown[] = [];
    const notes: string[] = [];
    m.lines.forEach((l, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      datasets.push({ type: 'scatter', label: shortLabel(l.label), data: l.points.map(([x, y]) => ({ x, y })), backgroundColor: color, borderColor: color, pointRadius: 5 });
      if (!l.fit) return;
      const xs = l.points.map((p) => p[0]);
      const lo = Math.min(...xs);
      const hi = Math.max(s.projectTo, ...xs);
      const curve = Array.from({ length: 61 }, (_, k) => lo + ((hi - lo) * k) / 60).map((x) => ({ x, y: predict(l.fit!, x) }));
      datasets.push({ type: 'line', hideInLegend: true, label: `${shortLabel(l.label)} ${l.fit.model} fit`, data: curve, borderColor: color, backgroundColor: color, borderDash: [6, 4], borderWidth: 2, pointRadius: 0, fill: false });
      if (l.projection !== undefined) {
        datasets.push({ type: 'scatter', hideInLegend: true, label: `${shortLabel(l.label)} projection`, data: [{ x: s.projectTo, y: l.projection }], backgroundColor: '#ffffff', borderColor: color, borderWidth: 2, pointStyle: 'rectRot', pointRadius: 8 });
        notes.push(`${l.label === 'all' ? '' : `${shortLabel(l.label)}: `}${l.fit.model} (adj. R² ${fitQuality(l.fit)}) → at ${s.projectTo.toLocaleString('en-US')} Services ~ ${humanValue(l.projection, m.unit)}`);
      }
    });
    const name = m.stat === 'p99' ? `${m.metric} p99` : m.metric;
    out.push({
      id: chartId('scaling-', m.stat === 'p99' ? `${m.metric}.p99` : m.metric),
      title: `${name} vs Services (${m.unit})`,
      notes: [...notes, 'dots: measured · dashed: fitted growth model · diamond: projection (an extrapolation, not a measurement)'],
      config: {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: { x: { type: 'linear', beginAtZero: true, title: axisTitle('Services'), ticks: { maxRotation: 0 } }, y: { beginAtZero: true, title: axisTitle(m.unit) } },
        },
      },
    });
  }
  return out;
}

/** Time offsets in seconds from the series' start, whatever clock the sampler used. */
function toSeconds(series: Array<[number, number]>): Array<{ x: number; y: number }> {
  if (series.length === 0) return [];
  const t0 = series[0]![0];
  const div = t0 > 1e12 ? 1000 : 1;
  const base = t0 > 1e9 ? t0 : 0;
  const step = Math.max(1, Math.ceil(series.length / 1500));
  return series.filter((_, i) => i % step === 0).map(([t, v]) => ({ x: (t - base) / div, y: v }));
}

function seriesCharts(run: RunResult): ChartSpec[] {
  const groups = groupVariants(run);
  const names = [...new Set(run.variants.flatMap((v) => Object.keys(v.series ?? {})))];
  return names.map((name) => {
    const datasets: unknown[] = [];
    groups.forEach((g, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      for (const v of g.repeats) {
        const s = v.series?.[name];
        if (!s || s.length === 0) continue;
        datasets.push({ label: g.repeats.length > 1 ? `${shortLabel(g.label)} #${v.repeat}` : shortLabel(g.label), borderDash: v.repeat > 1 ? [2 + v.repeat * 2, 3] : undefined, data: toSeconds(s), borderColor: color, backgroundColor: color, borderWidth: 1.5, pointRadius: s.length < 30 ? 3 : 0, tension: 0.2 });
      }
    });
    const unit = metricInfo(name).unit;
    return {
      id: chartId('series-', name),
      title: `${name} during the run${unit ? ` (${unit})` : ''}`,
      notes: ['x: seconds since the variant started'],
      config: {
        type: 'line',
        data: { datasets },
        options: { parsing: true, scales: { x: { type: 'linear', beginAtZero: true, title: axisTitle('s') }, y: { beginAtZero: true, title: axisTitle(unit) } } },
      },
    };
  });
}

export function buildCharts(run: RunResult, scaling = analyzeScaling(run)): ChartSpec[] {
  return [...barCharts(run), ...percentileCharts(run), ...(scaling ? scalingCharts(scaling) : []), ...seriesCharts(run)];
}
