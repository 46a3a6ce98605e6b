import type { PerfReport } from './run.js';
import { RATIO_NAMES, TARGETS } from './targets.js';

/** What `perf --json` prints: DESIGN.md section 9's `{ ratios, details }`, the verdicts inside details. */
export function perfJson(r: PerfReport): { ratios: PerfReport['ratios']; details: Record<string, unknown> } {
  return { ratios: r.ratios, details: { ...r.details, verdicts: r.verdicts } };
}

/** One pair's raw figures (medians) in a few words, for the table and the progress log. */
export function pairFigures(d: Record<string, unknown> | undefined): string {
  if (!d) return '';
  if (typeof d.error === 'string') return `error: ${d.error}`;
  const med = (k: string) => (d[k] as { median?: number } | undefined)?.median;
  if (d.agentQps) return `agent ${med('agentQps')} qps vs dnsperf ${med('dnsperfQps')} qps`;
  if (d.agentRps !== undefined) return `agent ${Math.round(Number(d.agentRps))} rps vs wrk ${Math.round(Number(d.wrkRps))} rps`;
  if (d.oursMs) return `${d.services} Services: ours ${med('oursMs')} ms vs ${String(d.tool).split(' ')[0]} ${med('toolMs')} ms`;
  return '';
}

/** The human-readable table: one line per measured ratio, with its target and PASS/FAIL. */
export function renderPerfTable(r: PerfReport): string {
  const rows: string[][] = [['ratio', 'value', 'target', 'verdict', 'figures (medians)']];
  for (const name of RATIO_NAMES) {
    if (!(name in r.ratios)) continue;
    const v = r.ratios[name];
    rows.push([name, v === null || v === undefined ? 'n/a' : v.toFixed(3), `${TARGETS[name].op} ${TARGETS[name].value}`, r.verdicts[name] ?? 'FAIL', pairFigures(r.details[name] as Record<string, unknown> | undefined)]);
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((c, i) => (i === row.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n') + '\n';
}
