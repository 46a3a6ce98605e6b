/** Bars across variants: p50 with p90/p99 whiskers for distributions, values with min..max for gauges. */
import type { RunResult } from '../results/model.js';
import { metricInfo } from '../metrics/catalog.js';
import { aggregate, fmt, groupVariants, metricNames } from './variants.js';
import { axisTitle, chartId, colourKeys, PALETTE, shortLabel, type ChartSpec } from './chart-common.js';

/** Bars at p50 (or the value for gauges) with a whisker to p99 (or min..max across repeats). */
export function barCharts(run: RunResult): ChartSpec[] {
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

