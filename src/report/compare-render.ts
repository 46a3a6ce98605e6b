/** compare.md (printed and posted by CI) and compare.html (the same table, coloured). */
import { fmt } from './variants.js';
import { ALPHA, type Comparison, type ComparisonRow } from './compare.js';
import { esc, page } from './page.js';

export const METHOD_NOTE = `Significance: Welch's t-test over per-repeat values when both runs have 2+ repeats; with a single repeat, a z-test from the merged HDR histograms (p50/p99: the quantile's order-statistic, i.e. binomial, standard error; mean: its standard error), which assumes samples within a run are independent and so overstates confidence; gauges with a single repeat (a DNS capacity among them: one search says nothing of its run-to-run spread) have no test (n/a) and are never flagged: run with --repeat 3 or more to test them. A regression is worse in the metric's direction, beyond the threshold, and p < ${ALPHA}.`;

export function pct(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '+∞%' : '-∞%';
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
}

function pval(r: ComparisonRow): string {
  if (r.p === undefined) return 'n/a';
  return r.p < 0.0001 ? '<0.0001' : r.p.toFixed(4);
}

function figure(v: number, values: number[]): string {
  return values.length > 1 ? `${fmt(v)} (n=${values.length})` : fmt(v);
}

function name(r: ComparisonRow): string {
  return r.stat === 'value' ? r.metric : `${r.metric} ${r.stat}`;
}

export function headline(c: Comparison): string {
  return c.regressions.length === 0 ? 'No regression' : `${c.regressions.length} regression${c.regressions.length > 1 ? 's' : ''}: ${[...new Set(c.regressions.map((r) => r.metric))].join(', ')}`;
}

export function regressionLine(r: ComparisonRow): string {
  const p = r.p !== undefined && r.p < 0.0001 ? 'p<0.0001' : `p=${pval(r)}`;
  return `${name(r)} [${r.variant}]: ${fmt(r.base)} → ${fmt(r.candidate)} ${r.unit} (${pct(r.changePct)}, ${p}, ${r.test}; ${r.better} is better)`;
}

export function renderCompareMarkdown(c: Comparison): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  const out = [
    '# discobench compare',
    '',
    `- base: \`${c.base.runId}\` (${c.base.scenario}, ${c.base.provider}, ${c.base.status})`,
    `- candidate: \`${c.candidate.runId}\` (${c.candidate.scenario}, ${c.candidate.provider}, ${c.candidate.status})`,
    `- threshold: ${c.thresholdPct}%, significance level ${ALPHA}`,
    '',
    `**${headline(c)}**`,
  ];
  if (c.regressions.length > 0) out.push('', '### Regressions', '', ...c.regressions.map((r) => `- ${regressionLine(r)}`));
  if (c.onlyInBase.length > 0) out.push('', `Variants only in base (not compared): ${c.onlyInBase.join('; ')}`);
  if (c.onlyInCandidate.length > 0) out.push('', `Variants only in candidate (not compared): ${c.onlyInCandidate.join('; ')}`);
  out.push('', '| metric | variant | base | candidate | change | p | test | verdict |', '|---|---|---:|---:|---:|---:|---|---|');
  for (const r of c.rows) {
    const verdict = r.regression ? '**REGRESSION**' : r.verdict;
    out.push(`| ${cell(name(r))} (${r.unit}) | ${cell(r.variant)} | ${figure(r.base, r.baseValues)} | ${figure(r.candidate, r.candidateValues)} | ${pct(r.changePct)} | ${pval(r)} | ${r.test} | ${verdict} |`);
  }
  out.push('', `> ${METHOD_NOTE}`);
  return out.join('\n') + '\n';
}

export function renderCompareHtml(c: Comparison): string {
  const rows = c.rows.map((r) => {
    const cls = r.regression ? ' class="reg"' : '';
    const changeCls = Math.abs(r.changePct) <= c.thresholdPct ? '' : r.worse ? 'worse' : 'better';
    return `<tr${cls}><td class="l">${esc(name(r))}</td><td class="l">${esc(r.unit)}</td><td class="l">${esc(r.variant)}</td><td>${esc(figure(r.base, r.baseValues))}</td><td>${esc(figure(r.candidate, r.candidateValues))}</td><td class="${changeCls}">${esc(pct(r.changePct))}</td><td>${esc(pval(r))}</td><td class="l">${esc(r.test)}</td><td class="l">${r.regression ? '<b>REGRESSION</b>' : esc(r.verdict)}</td></tr>`;
  }).join('');
  const regs = c.regressions.length > 0 ? `<h2>Regressions</h2><ul>${c.regressions.map((r) => `<li>${esc(regressionLine(r))}</li>`).join('')}</ul>` : '';
  const only = [
    c.onlyInBase.length > 0 ? `<p class="meta">Only in base (not compared): ${esc(c.onlyInBase.join('; '))}</p>` : '',
    c.onlyInCandidate.length > 0 ? `<p class="meta">Only in candidate (not compared): ${esc(c.onlyInCandidate.join('; '))}</p>` : '',
  ].join('');
  const badge = c.regressions.length > 0 ? 'failed' : 'completed';
  const body = `<main>
<h1>discobench compare <span class="badge ${badge}">${esc(headline(c))}</span></h1>
<p class="meta">base <code>${esc(c.base.runId)}</code> (${esc(c.base.scenario)}, ${esc(c.base.provider)}) → candidate <code>${esc(c.candidate.runId)}</code> (${esc(c.candidate.scenario)}, ${esc(c.candidate.provider)}) · threshold ${c.thresholdPct}% · α ${ALPHA}</p>
${regs}${only}
<h2>Every metric</h2>
<div class="scroll"><table><tr><th class="l">metric</th><th class="l">unit</th><th class="l">variant</th><th>base</th><th>candidate</th><th>change</th><th>p</th><th class="l">test</th><th class="l">verdict</th></tr>${rows}</table></div>
<p class="meta">${esc(METHOD_NOTE)}</p>
</main>`;
  return page(`discobench compare ${c.base.runId} → ${c.candidate.runId}`, body, []);
}
