/**
 * summary.md: the compact markdown a CI job posts as its summary. One table per metric, one row
 * per variant (repeats merged), projections for scaling runs, and every error.
 */
import type { Exporter } from '../results/exporter.js';
import type { RunResult } from '../results/model.js';
import { fmt, groupVariants } from './variants.js';
import { arrow, keyFigures } from './figures.js';
import { analyzeScaling, EXTRAPOLATION_CAVEAT, projectionSentences } from './scaling.js';
import { CAPACITY_COLUMNS, capacityCells, capacitySection } from './capacity.js';
import { pivotCell, pivotHeader, pivotNote, pivotTables, wideCell, wideTable } from './pivot.js';
import { metricInfo } from '../metrics/catalog.js';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function duration(run: RunResult): string {
  if (!run.finishedAt) return '';
  const s = (Date.parse(run.finishedAt) - Date.parse(run.startedAt)) / 1000;
  return Number.isFinite(s) ? ` (${fmt(s)} s)` : '';
}

/** " in a VM under TCG (...)": a reader must not compare such timings with a host's. */
export function vmNote(e: RunResult['environment']): string {
  if (!e.vm) return '';
  return e.vm.emulated ? ' in a VM under TCG (software emulation: timings not comparable with a host\'s)' : ' in a VM under KVM';
}

export function environmentLine(run: RunResult): string {
  const e = run.environment;
  const tools = Object.entries(e.tools ?? {}).map(([k, v]) => `${k} ${v}`).join(', ');
  const mem = e.memory > 0 ? `, ${fmt(e.memory / 1024 ** 3)} GiB` : '';
  return `kernel ${e.kernel}${vmNote(e)}, ${e.cpus} CPUs${mem}, node ${e.node}${tools ? `; ${tools}` : ''}`;
}

/** The Capacity section: first, since it answers the questions the run was for. */
function capacityMarkdown(run: RunResult, scaling: ReturnType<typeof analyzeScaling>): string[] {
  const sec = capacitySection(run, scaling);
  if (!sec) return [];
  const out = ['', '### Capacity', ''];
  if (sec.sloLine) out.push(sec.sloLine, '');
  out.push(...sec.sentences.map((s) => `- ${s}`));
  if (sec.rows.length > 0) {
    out.push('', `| ${CAPACITY_COLUMNS.join(' | ')} |`, `|---|${CAPACITY_COLUMNS.slice(1, -1).map(() => '---:').join('|')}|---|`);
    for (const row of sec.rows) out.push(`| ${capacityCells(row).map(cell).join(' | ')} |`);
  }
  return out;
}

/**
 * Key figures: a matrix pivots (one axis: metrics down, its values across; more axes: one table
 * per metric with the axes as rows and columns); a single variant keeps the long tables.
 */
function figuresMarkdown(run: RunResult): string[] {
  const out: string[] = [];
  const wide = wideTable(run);
  if (wide) {
    const head = wide.values.map((v) => `${wide.axis.split('.').pop()}=${v}`);
    out.push('', `### Key figures by ${wide.axis} (distributions: p50 / p99, repeats merged; values: mean of repeats (min..max); ↓ lower is better, ↑ higher)`, '', `| metric | unit | ${head.join(' | ')} |`, `|---|---|${head.map(() => '---:').join('|')}|`);
    for (const r of wide.rows) out.push(`| ${r.metric} ${arrow(r.better)} | ${r.unit} | ${r.cells.map((c) => wideCell(r.dist, c)).join(' | ')} |`);
    return out;
  }
  const pivots = pivotTables(run);
  if (pivots && pivots.length === 0) return out;
  if (pivots) {
    out.push('', '### Key figures (one table per metric; ↓ lower is better, ↑ higher)');
    for (const t of pivots) {
      const { corner, columns } = pivotHeader(t);
      out.push('', `**${t.metric}** ${arrow(t.better)} (${t.unit}; ${pivotNote(t)}): ${cell(metricInfo(t.metric).description)}`, '', `| ${corner} | ${columns.map(cell).join(' | ')} |`, `|---|${columns.map(() => '---:').join('|')}|`);
      t.rowValues.forEach((v, i) => out.push(`| ${cell(v)} | ${t.cells[i]!.map((c) => pivotCell(t, c)).join(' | ')} |`));
    }
    return out;
  }
  const figs = keyFigures(run);
  if (figs.distributions.length > 0) {
    out.push('', '### Distributions (repeats merged; ↓ lower is better, ↑ higher)', '', '| metric | unit | variant | n | p50 | p99 | mean | count |', '|---|---|---|---:|---:|---:|---:|---:|');
    for (const r of figs.distributions) out.push(`| ${r.metric} ${arrow(r.better)} | ${r.unit} | ${cell(r.variant)} | ${r.a.n} | ${fmt(r.a.p50)} | ${fmt(r.a.p99)} | ${fmt(r.a.value)} | ${fmt(r.a.count)} |`);
  }
  if (figs.gauges.length > 0) {
    out.push('', '### Values (mean of repeats)', '');
    if (figs.gaugeSpread) {
      out.push('| metric | unit | variant | n | value | min | max |', '|---|---|---|---:|---:|---:|---:|');
      for (const r of figs.gauges) out.push(`| ${r.metric} ${arrow(r.better)} | ${r.unit} | ${cell(r.variant)} | ${r.a.n} | ${fmt(r.a.value)} | ${fmt(r.a.min)} | ${fmt(r.a.max)} |`);
    } else {
      out.push('| metric | unit | variant | value |', '|---|---|---|---:|');
      for (const r of figs.gauges) out.push(`| ${r.metric} ${arrow(r.better)} | ${r.unit} | ${cell(r.variant)} | ${fmt(r.a.value)} |`);
    }
  }
  return out;
}

export function renderSummary(run: RunResult): string {
  const groups = groupVariants(run);
  const counts = { completed: 0, failed: 0, skipped: 0 };
  for (const v of run.variants) counts[v.status] = (counts[v.status] ?? 0) + 1;
  const out: string[] = [
    `# discobench: ${run.scenario.name}`,
    '',
    `- run: \`${run.runId}\`, provider: ${run.provider}, status: **${run.status}**${duration(run)}`,
    `- variants: ${groups.length} (${run.variants.length} runs: ${counts.completed} completed, ${counts.failed} failed, ${counts.skipped} skipped)`,
    `- environment: ${environmentLine(run)}`,
  ];
  const scaling = analyzeScaling(run);
  out.push(...capacityMarkdown(run, scaling));
  out.push(...figuresMarkdown(run));
  const sentences = scaling ? projectionSentences(scaling) : [];
  if (sentences.length > 0) {
    out.push('', '### Capacity projection', '', ...sentences.map((s) => `- ${s}`), '', `> ${EXTRAPOLATION_CAVEAT}`);
  }
  const errors = run.variants.flatMap((v) => (v.errors ?? []).map((e) => `- \`${v.id}\` (${v.status}): ${cell(e)}`));
  if (errors.length > 0) out.push('', '### Errors', '', ...errors);
  return out.join('\n') + '\n';
}

export const summaryExporter: Exporter = {
  name: 'summary',
  render: (run) => [{ path: 'summary.md', data: renderSummary(run) }],
};
