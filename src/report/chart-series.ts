/** Time series sampled during each variant (rates, CPU, sync durations), one line per repeat. */
import type { RunResult } from '../results/model.js';
import { metricInfo } from '../metrics/catalog.js';
import { groupVariants } from './variants.js';
import { TIMELINE_PREFIX } from './chart-timeline.js';
import { axisTitle, chartId, PALETTE, shortLabel, type ChartSpec } from './chart-common.js';

/** Time offsets in seconds from the series' start, whatever clock the sampler used. */
function toSeconds(series: Array<[number, number]>): Array<{ x: number; y: number }> {
  if (series.length === 0) return [];
  const t0 = series[0]![0];
  const div = t0 > 1e12 ? 1000 : 1;
  const base = t0 > 1e9 ? t0 : 0;
  const step = Math.max(1, Math.ceil(series.length / 1500));
  return series.filter((_, i) => i % step === 0).map(([t, v]) => ({ x: (t - base) / div, y: v }));
}

export function seriesCharts(run: RunResult): ChartSpec[] {
  const groups = groupVariants(run);
  // timeline.* series are drawn around their changes (chart-timeline.ts)
  const names = [...new Set(run.variants.flatMap((v) => Object.keys(v.series ?? {})))].filter((n) => !n.startsWith(TIMELINE_PREFIX));
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

