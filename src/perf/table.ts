import type { PerfReport } from './targets.js';
import { BUDGET_NAMES, BUDGETS } from './budgets.js';
import { RATIO_NAMES, TARGETS } from './targets.js';

/** What `perf --json` prints: `{ ratios, details }`, the budgets beside them, the verdicts inside details. */
export function perfJson(r: PerfReport): { ratios: PerfReport['ratios']; budgets: PerfReport['budgets']; details: Record<string, unknown> } {
  return { ratios: r.ratios, budgets: r.budgets, details: { ...r.details, verdicts: r.verdicts } };
}

/** One pair's raw figures (medians) in a few words, for the table and the progress log. */
export function pairFigures(d: Record<string, unknown> | undefined): string {
  if (!d) return '';
  if (typeof d.error === 'string') return `error: ${d.error}`;
  const med = (k: string) => (d[k] as { median?: number } | undefined)?.median;
  if (d.agentQps) return `agent ${med('agentQps')} qps vs dnsperf ${med('dnsperfQps')} qps`;
  if (d.agentRps !== undefined) return `agent ${Math.round(Number(d.agentRps))} rps vs wrk ${Math.round(Number(d.wrkRps))} rps`;
  if (d.oursMs) return `${d.services} Services: ${String(d.tool).split(' ')[0]} ${med('toolMs')} ms + our overhead ${med('overheadMs')} ms (wall: ours ${med('oursMs')} ms, ratio ${String(d.wallRatio)})`;
  return '';
}

/** The human-readable table: one line per measured ratio and budget, with its target and PASS/FAIL. */
export function renderPerfTable(r: PerfReport): string {
  const rows: string[][] = [['measure', 'value', 'target', 'verdict', 'figures (medians)']];
  for (const name of RATIO_NAMES) {
    if (!(name in r.ratios)) continue;
    const v = r.ratios[name];
    rows.push([name, v === null || v === undefined ? 'n/a' : v.toFixed(3), `${TARGETS[name].op} ${TARGETS[name].value}`, r.verdicts[name] ?? 'FAIL', pairFigures(r.details[name] as Record<string, unknown> | undefined)]);
  }
  for (const name of BUDGET_NAMES) {
    if (!(name in r.budgets)) continue;
    const v = r.budgets[name];
    const b = BUDGETS[name];
    const d = r.details[name] as Record<string, unknown> | undefined;
    rows.push([name, v === null || v === undefined ? 'n/a' : String(v), `< ${b.below} ${b.unit}`, r.verdicts[name] ?? 'FAIL', typeof d?.error === 'string' ? `error: ${d.error}` : b.what]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
