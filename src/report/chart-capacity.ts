/**
 * The ramp chart of a capacity search, like resperf's report: achieved against offered lookups/s
 * (with the offered = achieved diagonal), lookup p99 against offered on a second axis with the
 * SLO bound as a line; failing steps drawn as crosses, the capacity as a star.
 */
import type { RunResult } from '../results/model.js';
import type { CapacityStep } from '../results/capacity.js';
import { fmt } from './variants.js';
import { capacityRows } from './capacity.js';
import { axisTitle, chartId, PALETTE, type ChartSpec } from './chart-common.js';

const OK = '#009E73';
const BAD = '#D55E00';

export function rampCharts(run: RunResult): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const row of capacityRows(run)) {
    row.records.forEach((r, rep) => {
      const steps = [...r.steps].sort((a, b) => a.offered - b.offered);
      if (steps.length === 0) return;
      const xs = steps.map((s) => s.offered);
      const two = (v: number) => Number(v.toPrecision(2));
      const lo = two(Math.min(...xs) / 1.3);
      const hi = two(Math.max(...xs) * 1.3);
      const colours = (s: CapacityStep) => (s.ok ? OK : BAD);
      // an unfinished-dominated p99 has no value: drawn at the top of the axis as a failing mark
      const finite = steps.map((s) => s.p99).filter((v): v is number => v !== null);
      const decade = (v: number, up: boolean) => Math.pow(10, (up ? Math.ceil : Math.floor)(Math.log10(v)));
      const p99Top = decade(Math.max(r.slo.p99Ms * 4, ...finite) * 1.2, true);
      const p99Bottom = decade(Math.min(r.slo.p99Ms / 2, ...finite.filter((v) => v > 0)), false);
      const good = r.good !== undefined ? r.steps[r.good] : undefined;
      const datasets: unknown[] = [
        { type: 'line', label: 'offered = achieved', data: [{ x: lo, y: lo }, { x: hi, y: hi }], borderColor: '#999999', borderDash: [4, 4], borderWidth: 1, pointRadius: 0, yAxisID: 'y' },
        {
          type: 'line', label: 'achieved lookups/s', data: steps.map((s) => ({ x: s.offered, y: s.achieved })), yAxisID: 'y',
          borderColor: PALETTE[0], backgroundColor: PALETTE[0], borderWidth: 2, tension: 0,
          pointRadius: 5, pointStyle: steps.map((s) => (s.ok ? 'circle' : 'crossRot')), pointBorderColor: steps.map(colours), pointBackgroundColor: steps.map(colours), pointBorderWidth: 2,
          tooltipExtra: steps.map((s) => `${s.phase} step · ${s.ok ? 'met the SLO' : `broke: ${s.broke.join('; ')}`} · DNS ${fmt(s.serverCpu)} cores · agent ${fmt(s.agentCpu)} cores`),
        },
        {
          type: 'line', label: 'p99 (ms)', data: steps.map((s) => ({ x: s.offered, y: s.p99 ?? p99Top })), yAxisID: 'y2',
          borderColor: PALETTE[1], backgroundColor: PALETTE[1], borderWidth: 2, tension: 0,
          pointRadius: 4, pointStyle: steps.map((s) => (s.p99 === null ? 'triangle' : s.ok ? 'circle' : 'crossRot')), pointBorderColor: steps.map(colours), pointBackgroundColor: steps.map(colours),
          tooltipExtra: steps.map((s) => (s.p99 === null ? `${s.unfinished} lookups unfinished: p99 above every finished one` : `p50 ${fmt(s.p50)} ms`)),
        },
        { type: 'line', label: `SLO p99 ${fmt(r.slo.p99Ms)} ms`, data: [{ x: lo, y: r.slo.p99Ms }, { x: hi, y: r.slo.p99Ms }], yAxisID: 'y2', borderColor: BAD, borderDash: [8, 4], borderWidth: 1.5, pointRadius: 0 },
      ];
      if (good && r.outcome === 'slo') datasets.push({ type: 'scatter', label: `capacity ${fmt(good.achieved)}/s`, data: [{ x: good.offered, y: good.achieved }], yAxisID: 'y', pointStyle: 'star', pointRadius: 12, borderColor: '#000000', backgroundColor: '#000000', borderWidth: 2 });
      const name = row.records.length > 1 ? `${row.label} #${rep + 1}` : row.label;
      out.push({
        id: chartId('capacity-', name),
        title: `Capacity ramp: ${name}`,
        notes: [`${r.outcome === 'slo' && good ? `capacity ${fmt(good.achieved)} lookups/s (measured)` : r.outcome === 'client-limit' ? 'load generator limited: no server capacity' : `no capacity: ${r.outcome}`} · dots met the SLO, crosses broke it (${steps.length} steps of ${fmt(r.stepMs / 1000)} s) · triangle: p99 above every finished lookup`],
        height: 340,
        config: {
          type: 'line',
          data: { datasets },
          options: {
            parsing: true,
            scales: {
              x: { type: 'logarithmic', min: lo, max: hi, title: axisTitle('offered lookups/s (log)'), ticks: { maxRotation: 0 } },
              y: { type: 'logarithmic', position: 'left', min: lo, max: hi, title: axisTitle('achieved lookups/s (log)') },
              y2: { type: 'logarithmic', position: 'right', min: p99Bottom, max: p99Top, title: axisTitle('lookup p99, ms (log)'), grid: { drawOnChartArea: false } },
            },
          },
        },
      });
    });
  }
  return out;
}
