/** report.html: the run's header, environment, charts, projections and a table of every figure. */
import type { Exporter } from '../results/exporter.js';
import type { RunResult } from '../results/model.js';
import { buildCharts } from './charts.js';
import { analyzeScaling, EXTRAPOLATION_CAVEAT, projectionSentences } from './scaling.js';
import { chartCard, esc, page } from './page.js';
import { fmt, groupVariants } from './variants.js';
import { arrow, keyFigures, type FigureRow } from './figures.js';
import { metricInfo } from '../metrics/catalog.js';
import { vmNote } from './summary.js';
import { CAPACITY_COLUMNS, capacityCells, capacitySection } from './capacity.js';
import { pivotCell, pivotHeader, pivotNote, pivotTables, wideCell, wideTable } from './pivot.js';
import type { ChartSpec } from './charts.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function environmentTable(run: RunResult): string {
  const e = run.environment;
  const rows: Array<[string, string]> = [
    ['kernel', `${e.kernel}${vmNote(e)}`], ['CPUs', String(e.cpus)], ['memory', e.memory > 0 ? `${fmt(e.memory / 1024 ** 3)} GiB` : 'n/a'], ['node', e.node],
    ...Object.entries(e.tools ?? {}).map(([k, v]): [string, string] => [k, v]),
  ];
  return `<table style="width:auto">${rows.map(([k, v]) => `<tr><th class="l">${esc(k)}</th><td class="l">${esc(v)}</td></tr>`).join('')}</table>`;
}

const td = (v: string, l = false) => `<td${l ? ' class="l"' : ''}>${esc(v)}</td>`;
const th = (v: string, l = false) => `<th${l ? ' class="l"' : ''}>${esc(v)}</th>`;

/** The Capacity section: sentences, the per-variant table and the ramp charts, first on the page. */
function capacityHtml(run: RunResult, scaling: ReturnType<typeof analyzeScaling>, ramps: ChartSpec[]): string {
  const sec = capacitySection(run, scaling);
  if (!sec) return '';
  const table = sec.rows.length > 0
    ? `<div class="scroll"><table><tr>${CAPACITY_COLUMNS.map((c, i) => th(c, i === 0 || i === CAPACITY_COLUMNS.length - 1)).join('')}</tr>${sec.rows
      .map((r) => `<tr>${capacityCells(r).map((c, i) => td(c, i === 0 || i === CAPACITY_COLUMNS.length - 1)).join('')}</tr>`).join('')}</table></div>`
    : '';
  return `<h2>Capacity</h2>${sec.sloLine ? `<p class="meta">${esc(sec.sloLine)}</p>` : ''}<ul>${sec.sentences.map((s) => `<li>${esc(s)}</li>`).join('')}</ul>${table}${ramps.length > 0 ? `<div class="grid" style="margin-top:14px">${ramps.map((c) => chartCard(c)).join('\n')}</div>` : ''}`;
}

/** Matrix runs pivot (see pivot.ts); a single variant keeps one row per metric. */
function pivotHtml(run: RunResult): string | undefined {
  const name = (metric: string, better: 'lower' | 'higher') => `<span title="${esc(metricInfo(metric).description)}">${esc(metric)} ${arrow(better)}</span>`;
  const wide = wideTable(run);
  if (wide) {
    const head = wide.values.map((v) => `${wide.axis.split('.').pop()}=${v}`);
    return `<h2>Key figures</h2><div class="card"><h3>By ${esc(wide.axis)} <span class="note">(distributions: p50 / p99, repeats merged; values: mean of repeats (min..max); ↓ lower is better, ↑ higher)</span></h3><div class="scroll"><table><tr>${th('metric', true)}${th('unit', true)}${head.map((h) => th(h)).join('')}</tr>${wide.rows
      .map((r) => `<tr><td class="l">${name(r.metric, r.better)}</td>${td(r.unit, true)}${r.cells.map((c) => td(wideCell(r.dist, c))).join('')}</tr>`).join('')}</table></div></div>`;
  }
  const pivots = pivotTables(run);
  if (!pivots) return undefined;
  if (pivots.length === 0) return '';
  const cards = pivots.map((t) => {
    const { corner, columns } = pivotHeader(t);
    return `<div class="card"><h3>${name(t.metric, t.better)} <span class="note">(${esc(t.unit)}; ${esc(pivotNote(t))})</span></h3><div class="scroll"><table><tr>${th(corner, true)}${columns.map((c) => th(c)).join('')}</tr>${t.rowValues
      .map((v, i) => `<tr>${td(v, true)}${t.cells[i]!.map((c) => td(pivotCell(t, c))).join('')}</tr>`).join('')}</table></div></div>`;
  });
  return `<h2>Key figures <span class="note">(one table per metric; ↓ lower is better, ↑ higher)</span></h2><div class="grid">${cards.join('')}</div>`;
}

function keyFiguresHtml(run: RunResult): string {
  const pivot = pivotHtml(run);
  if (pivot !== undefined) return pivot;
  const figs = keyFigures(run);
  const name = (r: FigureRow) => `<td class="l" title="${esc(metricInfo(r.metric).description)}">${esc(r.metric)} ${arrow(r.better)}</td>`;
  const parts: string[] = [];
  if (figs.distributions.length > 0) {
    parts.push(`<div class="card"><h3>Distributions <span class="note">(repeats merged; ↓ lower is better, ↑ higher)</span></h3><div class="scroll"><table><tr><th class="l">metric</th><th class="l">unit</th><th class="l">variant</th><th>n</th><th>p50</th><th>p90</th><th>p99</th><th>mean</th><th>count</th></tr>${figs.distributions
      .map((r) => `<tr>${name(r)}${td(r.unit, true)}${td(r.variant, true)}${td(String(r.a.n))}${td(fmt(r.a.p50))}${td(fmt(r.a.p90))}${td(fmt(r.a.p99))}${td(fmt(r.a.value))}${td(fmt(r.a.count))}</tr>`).join('')}</table></div></div>`);
  }
  if (figs.gauges.length > 0) {
    const spread = figs.gaugeSpread;
    parts.push(`<div class="card"><h3>Values <span class="note">(mean of repeats)</span></h3><div class="scroll"><table><tr><th class="l">metric</th><th class="l">unit</th><th class="l">variant</th><th>n</th><th>value</th>${spread ? '<th>min</th><th>max</th>' : ''}</tr>${figs.gauges
      .map((r) => `<tr>${name(r)}${td(r.unit, true)}${td(r.variant, true)}${td(String(r.a.n))}${td(fmt(r.a.value))}${spread ? td(fmt(r.a.min)) + td(fmt(r.a.max)) : ''}</tr>`).join('')}</table></div></div>`);
  }
  return parts.length > 0 ? `<h2>Key figures</h2><div class="stack">${parts.join('')}</div>` : '';
}

function figuresTable(run: RunResult): string {
  const head = ['variant', 'id', 'status', 'metric', 'unit', 'count', 'min', 'mean', 'p50', 'p90', 'p99', 'p99.9', 'max', 'value'];
  const labels = new Map(groupVariants(run).flatMap((g) => g.repeats.map((v) => [v, g.label] as const)));
  const rows: string[] = [];
  for (const v of run.variants) {
    const ms = Object.entries(v.metrics ?? {});
    if (ms.length === 0) rows.push(`<tr><td class="l">${esc(labels.get(v) ?? v.id)}</td><td class="l">${esc(v.id)}</td><td class="l">${esc(v.status)}</td><td class="l" colspan="11">no metrics</td></tr>`);
    for (const [name, m] of ms) {
      const nums = [m.count, m.min, m.mean, m.p50, m.p90, m.p99, m.p999, m.max, m.value].map((x) => `<td>${fmt(x)}</td>`).join('');
      rows.push(`<tr><td class="l">${esc(labels.get(v) ?? v.id)}</td><td class="l">${esc(v.id)}</td><td class="l">${esc(v.status)}</td><td class="l">${esc(name)}</td><td class="l">${esc(m.unit)}</td>${nums}</tr>`);
    }
  }
  return `<div class="scroll"><table><tr>${head.map((h, i) => `<th${i < 5 ? ' class="l"' : ''}>${h}</th>`).join('')}</tr>${rows.join('')}</table></div>`;
}

export function renderReportHtml(run: RunResult): string {
  const scaling = analyzeScaling(run);
  const charts = buildCharts(run, scaling);
  const groups = groupVariants(run);
  const sentences = scaling ? projectionSentences(scaling) : [];
  const errors = run.variants.flatMap((v) => (v.errors ?? []).map((e) => `<li><code>${esc(v.id)}</code> (${esc(v.status)}): ${esc(e)}</li>`));
  const when = `${esc(run.startedAt)}${run.finishedAt ? ` → ${esc(run.finishedAt)}` : ''}`;
  const bars = charts.filter((c) => !/^(scaling|series|percentiles|capacity|timeline)-/.test(c.id));
  const timelines = charts.filter((c) => c.id.startsWith('timeline-'));
  const ramps = charts.filter((c) => c.id.startsWith('capacity-'));
  const pcts = charts.filter((c) => c.id.startsWith('percentiles-'));
  const scal = charts.filter((c) => c.id.startsWith('scaling-'));
  const series = charts.filter((c) => c.id.startsWith('series-'));
  const body = `<main>
<h1>discobench · ${esc(run.scenario.name)} <span class="badge ${esc(run.status)}">${esc(run.status)}</span></h1>
<p class="meta">${esc(run.scenario.description ?? '')}</p>
<p class="meta">run <code>${esc(run.runId)}</code> · provider ${esc(run.provider)} · ${when} · ${plural(groups.length, 'variant')}, ${plural(run.variants.length, 'run')}</p>
${capacityHtml(run, scaling, ramps)}
${sentences.length > 0 ? `<h2>Capacity projection</h2><ul>${sentences.map((s) => `<li>${esc(s)}</li>`).join('')}</ul><p class="caveat">${esc(EXTRAPOLATION_CAVEAT)}</p>` : ''}
${errors.length > 0 ? `<h2>Errors</h2><ul>${errors.join('')}</ul>` : ''}
${keyFiguresHtml(run)}
${timelines.length > 0 ? `<h2>Changes under load</h2><p class="meta">Failed requests or lookups (and, for DNS churn, lookups that waited out a resolver timeout) per 100 ms; the dashed lines are the changes the workload made, listed under each chart.</p><div class="grid">${timelines.map((c) => chartCard(c)).join('\n')}</div>` : ''}
${bars.length > 0 ? `<h2>Metrics across variants</h2><div class="grid">${bars.map((c) => chartCard(c)).join('\n')}</div>` : ''}
${pcts.length > 0 ? `<h2>Latency distributions</h2><div class="grid">${pcts.map((c) => chartCard(c)).join('\n')}</div>` : ''}
${scal.length > 0 ? `<h2>Scaling with the Service count</h2><div class="grid">${scal.map((c) => chartCard(c, 340)).join('\n')}</div>` : ''}
${series.length > 0 ? `<h2>During the run</h2><div class="grid">${series.map((c) => chartCard(c)).join('\n')}</div>` : ''}
<h2>Environment</h2>
${environmentTable(run)}
<h2>Every figure</h2>
${figuresTable(run)}
</main>`;
  return page(`discobench · ${run.scenario.name} · ${run.runId}`, body, charts);
}

export const htmlExporter: Exporter = {
  name: 'html',
  render: (run) => [{ path: 'report.html', data: renderReportHtml(run) }],
};
