/** Latency by percentile from the merged HDR histograms. */
import type { RunResult } from '../results/model.js';
import { metricInfo } from '../metrics/catalog.js';
import { SCALE } from '../metrics/histogram.js';
import { aggregate, groupVariants, metricNames } from './variants.js';
import { axisTitle, chartId, PALETTE, shortLabel, type ChartSpec } from './chart-common.js';

const PERCENTILES: Array<[string, number]> = [['p10', 10], ['p25', 25], ['p50', 50], ['p75', 75], ['p90', 90], ['p95', 95], ['p99', 99], ['p99.9', 99.9], ['max', 100]];
const MAX_CURVES = 8;
/** below this many samples a percentile curve is a staircase of a few values; the table says it */
const MIN_SAMPLES = 50;

/** Latency by percentile from the merged histograms, one line per variant: the tail at a glance. */
export function percentileCharts(run: RunResult): ChartSpec[] {
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

