/** report.html: the run's header, environment, charts, projections and a table of every figure. */
import type { Exporter } from '../results/exporter.js';
import type { RunResult } from '../results/model.js';
import { buildCharts } from './charts.js';
import { analyzeScaling, EXTRAPOLATION_CAVEAT, projectionSentences } from './scaling.js';
import { chartCard, esc, page } from './page.js';
import { fmt, groupVariants } from './variants.js';

function environmentTable(run: RunResult): string {
  const e = run.environment;
  const rows: Array<[string, string]> = [
    ['kernel', e.kernel], ['CPUs', String(e.cpus)], ['memory', e.memory > 0 ? `${fmt(e.memory / 1024 ** 3)} GiB` : 'n/a'], ['node', e.node],
    ...Object.entries(e.tools ?? {}).map(([k, v]): [string, string] => [k, v]),
  ];
  return `<table style="width:auto">${rows.map(([k, v]) => `<tr><th class="l">${esc(k)}</th><td class="l">${esc(v)}</td></tr>`).join('')}</table>`;
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
  const bars = charts.filter((c) => !c.id.startsWith('scaling-') && !c.id.startsWith('series-'));
  const scal = charts.filter((c) => c.id.startsWith('scaling-'));
  const series = charts.filter((c) => c.id.startsWith('series-'));
  const body = `<main>
<h1>discobench · ${esc(run.scenario.name)} <span class="badge ${esc(run.status)}">${esc(run.status)}</span></h1>
<p class="meta">${esc(run.scenario.description ?? '')}</p>
<p class="meta">run <code>${esc(run.runId)}</code> · provider ${esc(run.provider)} · ${when} · ${groups.length} variants, ${run.variants.length} runs</p>
${sentences.length > 0 ? `<h2>Capacity projection</h2><ul>${sentences.map((s) => `<li>${esc(s)}</li>`).join('')}</ul><p class="caveat">${esc(EXTRAPOLATION_CAVEAT)}</p>` : ''}
${errors.length > 0 ? `<h2>Errors</h2><ul>${errors.join('')}</ul>` : ''}
<h2>Metrics across variants</h2>
<div class="grid">${bars.map((c) => chartCard(c)).join('\n')}</div>
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
