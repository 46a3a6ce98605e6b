/** Curves against the Service count: measured points, the fitted growth model, the projection. */
import { fitQuality, humanValue, type Scaling } from './scaling.js';
import { predict } from './projection.js';
import { axisTitle, chartId, PALETTE, shortLabel, type ChartSpec } from './chart-common.js';

export function scalingCharts(s: Scaling): ChartSpec[] {
  const out: ChartSpec[] = [];
  for (const m of s.metrics) {
    const datasets: unknown[] = [];
    const notes: string[] = [];
    // far extrapolations squeeze the measured points into a corner; log-log keeps both readable
    const maxMeasured = Math.max(...m.lines.flatMap((l) => l.points.map((p) => p[0])));
    const minMeasured = Math.min(...m.lines.flatMap((l) => l.points.map((p) => p[0])));
    const positive = m.lines.every((l) => l.points.every((p) => p[1] > 0) && (l.projection === undefined || l.projection > 0));
    const log = s.projectTo / maxMeasured > 4 && positive;
    m.lines.forEach((l, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      datasets.push({ type: 'scatter', label: shortLabel(l.label), data: l.points.map(([x, y]) => ({ x, y })), backgroundColor: color, borderColor: color, pointRadius: 5 });
      if (!l.fit) {
        if (l.noFit && l.noFit !== 'all zero') notes.push(`${l.label === 'all' ? '' : `${shortLabel(l.label)}: `}no projection, ${l.noFit}`);
        return;
      }
      const xs = l.points.map((p) => p[0]);
      const lo = Math.min(...xs);
      const hi = Math.max(s.projectTo, ...xs);
      const at = (k: number) => (log ? lo * Math.pow(hi / lo, k / 60) : lo + ((hi - lo) * k) / 60);
      const curve = Array.from({ length: 61 }, (_, k) => at(k)).map((x) => ({ x, y: predict(l.fit!, x) })).filter((p) => !log || p.y > 0);
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
      notes: [...notes, `dots: measured · dashed: fitted growth model · diamond: projection (an extrapolation, not a measurement)${log ? ' · log-log scale' : ''}`],
      config: {
        type: 'scatter',
        data: { datasets },
        options: {
          scales: log
            ? { x: { type: 'logarithmic', min: Math.pow(10, Math.floor(Math.log10(minMeasured))), max: s.projectTo * 1.2, title: axisTitle('Services (log)'), ticks: { maxRotation: 0 } }, y: { type: 'logarithmic', title: axisTitle(`${m.unit} (log)`) } }
            : { x: { type: 'linear', beginAtZero: true, title: axisTitle('Services'), ticks: { maxRotation: 0 } }, y: { beginAtZero: true, title: axisTitle(m.unit) } },
        },
      },
    });
  }
  return out;
}

