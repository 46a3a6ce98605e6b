/**
 * Errors over time around the changes a workload made under load (a rollout's batches, a DNS
 * instance replaced): every `timeline.*` series (counts per 100 ms bin) of a variant, drawn as a
 * stepped area, with each change as a dashed vertical line; the changes are listed under the
 * chart with their times, since a line cannot carry its label legibly.
 */
import type { ChangeEvent, RunResult, Series } from '../results/model.js';
import { groupVariants } from './variants.js';
import { axisTitle, chartId, PALETTE, shortLabel, type ChartSpec } from './chart-common.js';

export const TIMELINE_PREFIX = 'timeline.';
/** seconds of series shown before the first change */
const LEAD_S = 2;

function window(series: Series, events: ChangeEvent[]): [number, number] {
  const last = series.length > 0 ? series[series.length - 1]![0] : 0;
  const first = events.length > 0 ? Math.max(series[0]?.[0] ?? 0, events[0]!.t - LEAD_S) : series[0]?.[0] ?? 0;
  return [first, Math.max(last, events.at(-1)?.t ?? last)];
}

export function timelineCharts(run: RunResult): ChartSpec[] {
  const charts: ChartSpec[] = [];
  for (const g of groupVariants(run)) {
    for (const v of g.repeats) {
      const events = v.events ?? [];
      for (const [name, series] of Object.entries(v.series ?? {})) {
        if (!name.startsWith(TIMELINE_PREFIX) || series.length === 0) continue;
        const [from, to] = window(series, events);
        const shown = series.filter(([t]) => t >= from && t <= to);
        const x = (t: number) => +(t - from).toFixed(2);
        const peak = Math.max(1, ...shown.map(([, n]) => n));
        const changes: Array<{ x: number; y: number | null }> = events.flatMap((e) => [{ x: x(e.t), y: 0 }, { x: x(e.t), y: peak }, { x: x(e.t), y: null }]);
        const total = shown.reduce((a, [, n]) => a + n, 0);
        const label = `${shortLabel(g.label)}${g.repeats.length > 1 ? ` #${v.repeat}` : ''}`;
        charts.push({
          id: chartId('timeline-', `${name}-${v.id}-${v.repeat}`),
          title: `${name.slice(TIMELINE_PREFIX.length)} per 100 ms around each change · ${label}`,
          notes: [
            `${total} in the window; x: seconds from ${from.toFixed(1)} s into the variant; dashed lines: changes`,
            ...events.map((e) => `${x(e.t).toFixed(1)} s ${e.label}`),
          ],
          height: 300,
          config: {
            type: 'line',
            data: {
              datasets: [
                { label: name.slice(TIMELINE_PREFIX.length), data: shown.map(([t, n]) => ({ x: x(t), y: n })), borderColor: PALETTE[5], backgroundColor: 'rgba(213,94,0,0.35)', fill: true, stepped: 'before', borderWidth: 1.5, pointRadius: 0 },
                { label: 'changes', data: changes, borderColor: PALETTE[7], borderDash: [4, 3], borderWidth: 1, pointRadius: 0, spanGaps: false, fill: false },
              ],
            },
            options: { parsing: true, scales: { x: { type: 'linear', min: 0, max: x(to), title: axisTitle('s') }, y: { beginAtZero: true, title: axisTitle('per 100 ms') } } },
          },
        });
      }
    }
  }
  return charts;
}
