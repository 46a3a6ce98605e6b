/**
 * The Capacity section that opens summary.md and report.html: what the DNS capacity search
 * measured, as sentences with numbers and one row per variant, plus the Service-count headroom
 * of the scaling projection. Every sentence says whether its figure was measured or extrapolated.
 */
import { MIN_CPU_SECONDS, perCoreMeasurable, type CapacityResult, type CapacityStep } from '../results/capacity.js';
import type { RunResult } from '../results/model.js';
import { shortLabel } from './chart-common.js';
import { fitQuality, HEADROOM_LIMITS, type Scaling } from './scaling.js';
import { fmt, groupVariants, type VariantGroup } from './variants.js';

const NDOTS = 'workloads.capacity.ndots';
const NODELOCAL = 'cluster.nodeLocalDNS';

export interface CapacityRow {
  group: VariantGroup;
  label: string;
  records: CapacityResult[];
  /** repeats whose search ended on the server's SLO (outcome slo) */
  measured: Array<{ r: CapacityResult; good: CapacityStep; bad: CapacityStep }>;
  /** mean over measured repeats */
  lookups?: number;
  queries?: number;
  cpu?: number;
  perCore?: number;
  perReplica?: number;
  /** min..max of the capacity over repeats */
  spread?: [number, number];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const n0 = (v: number) => Math.round(v).toLocaleString('en-US');

export function capacityRows(run: RunResult): CapacityRow[] {
  const rows: CapacityRow[] = [];
  for (const g of groupVariants(run)) {
    const records = g.measured.map((v) => v.capacity).filter((c): c is CapacityResult => c !== undefined);
    if (records.length === 0) continue;
    const measured = records.filter((r) => r.outcome === 'slo' && r.good !== undefined && r.bad !== undefined)
      .map((r) => ({ r, good: r.steps[r.good!]!, bad: r.steps[r.bad!]! }));
    const row: CapacityRow = { group: g, label: shortLabel(g.label), records, measured };
    if (measured.length > 0) {
      const caps = measured.map((m) => m.good.achieved);
      row.lookups = mean(caps);
      row.queries = mean(measured.map((m) => m.good.serverQueriesRate ?? m.good.agentQueriesRate));
      row.cpu = mean(measured.map((m) => m.good.serverCpu));
      const perCore = measured.filter((m) => perCoreMeasurable(m.good, m.r.stepMs)).map((m) => m.good.achieved / m.good.serverCpu);
      if (perCore.length > 0) row.perCore = mean(perCore);
      row.perReplica = mean(measured.map((m) => m.good.achieved / m.r.dnsReplicas));
      if (measured.length > 1) row.spread = [Math.min(...caps), Math.max(...caps)];
    }
    rows.push(row);
  }
  return rows;
}

const p99Text = (s: CapacityStep) => (s.p99 === null ? 'above every finished lookup' : `${fmt(s.p99)} ms`);

/** Why the search stopped, for the table and the per-variant sentence. */
export function limitText(r: CapacityResult): string {
  const bad = r.bad !== undefined ? r.steps[r.bad] : undefined;
  const good = r.good !== undefined ? r.steps[r.good] : undefined;
  switch (r.outcome) {
    case 'slo': return `${n0(bad!.offered)}/s broke it: ${bad!.broke.join('; ')}`;
    case 'client-limit': return `load generator: agent CPU ${Math.round(bad!.agentSaturation * 100)}% of its ${r.agentThreads === 1 ? 'thread' : `${r.agentThreads} threads`} at ${n0(bad!.offered)}/s (cluster DNS ${fmt(bad!.serverCpu)} cores)`;
    case 'max-rate': return `never broke up to the maxRate ${n0(good!.offered)}/s`;
    case 'max-steps': return `never broke within maxSteps (last ${n0(good!.offered)}/s)`;
    case 'below-start': return `every rate tried broke the SLO, down to ${n0(Math.min(...r.steps.map((s) => s.offered)))}/s (${r.steps[r.steps.length - 1]!.broke.join('; ')})`;
  }
}

function sloText(r: CapacityResult): string {
  return `p99 <= ${fmt(r.slo.p99Ms)} ms, failures <= ${fmt(r.slo.failures * 100)}%, achieved within ${fmt(r.slo.tolerance * 100)}% of offered`;
}

function variantSentence(row: CapacityRow): string {
  const r = row.records[0]!;
  const who = `${row.label}:`;
  if (row.lookups !== undefined) {
    const m = row.measured[0]!;
    const reps = row.measured.length > 1 ? ` (mean of ${row.measured.length} repeats, ${n0(row.spread![0])}..${n0(row.spread![1])})` : '';
    const perCore = row.perCore !== undefined ? `${n0(row.perCore)} lookups/s per core, ` : `no per-core figure (under ${MIN_CPU_SECONDS} CPU-s in the step, below what the CPU counters resolve), `;
    return `${who} ${n0(row.lookups)} lookups/s met the SLO${reps} (measured; p99 ${p99Text(m.good)} at that step, ${limitText(m.r)}); the cluster DNS servers saw ${n0(row.queries!)} queries/s at ${fmt(row.cpu)} cores: ${perCore}${n0(row.perReplica!)} per replica (${r.dnsReplicas} measured).`;
  }
  const lower = r.good !== undefined ? ` The server took at least ${n0(r.steps[r.good]!.achieved)} lookups/s (measured), a lower bound, not its capacity.` : '';
  if (r.outcome === 'client-limit') return `${who} no server capacity: the load generator was the limit (${limitText(r)}), so its ceiling is not reported as the server's.${lower} Add agents (workloads.capacity.clients or workers) or run them on another machine.`;
  return `${who} no capacity figure: ${limitText(r)}.${lower}${idleHint(r)}`;
}

/**
 * A step that broke p99 while the server was nearly idle and the median far inside the bound says
 * the tail came from elsewhere (a busy machine's scheduling, the network), not from the server.
 */
function idleHint(r: CapacityResult): string {
  const low = [...r.steps].sort((a, b) => a.offered - b.offered)[0];
  if (!low || low.ok || low.serverCpu >= 0.2 || low.p50 >= r.slo.p99Ms / 4 || !low.broke.some((b) => b.startsWith('p99'))) return '';
  return ` At ${n0(low.offered)}/s the cluster DNS used ${fmt(low.serverCpu)} cores and the median lookup took ${fmt(low.p50)} ms: the tail did not come from a busy server (on a loaded machine, scheduling delays alone can break the bound).`;
}

/** Groups rows by every varying param except `axis`, for "at ndots 5 and at ndots 1" sentences. */
function linesAlong(rows: CapacityRow[], axis: string): Array<{ rest: string; rows: CapacityRow[] }> {
  const varying = [...new Set(rows.flatMap((r) => Object.keys(r.group.params)))].filter((k) => k !== axis && k !== 'repeat' && new Set(rows.map((r) => JSON.stringify(r.group.params[k]))).size > 1);
  const map = new Map<string, CapacityRow[]>();
  for (const r of rows) {
    const rest = varying.map((k) => `${k.split('.').pop()}=${String(r.group.params[k])}`).join(', ');
    map.set(rest, [...(map.get(rest) ?? []), r]);
  }
  return [...map].map(([rest, rs]) => ({ rest, rows: rs }));
}

function ndotsSentences(rows: CapacityRow[]): string[] {
  const out: string[] = [];
  const slo = rows[0]?.records[0];
  if (!slo) return out;
  for (const line of linesAlong(rows.filter((r) => r.group.params[NDOTS] !== undefined && r.perCore !== undefined), NDOTS)) {
    if (line.rows.length < 2) continue;
    const sorted = [...line.rows].sort((a, b) => Number(b.group.params[NDOTS]) - Number(a.group.params[NDOTS]));
    const parts = sorted.map((r) => `${n0(r.perCore!)} at ndots ${String(r.group.params[NDOTS])}`);
    const hi = sorted[0]!;
    const lo = sorted[sorted.length - 1]!;
    out.push(`Within p99 <= ${fmt(slo.slo.p99Ms)} ms${line.rest ? ` (${line.rest})` : ''}, cluster DNS took ${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]} lookups/s per core (measured); ndots ${String(hi.group.params[NDOTS])} costs ${fmt(lo.perCore! / hi.perCore!)}x the DNS CPU per lookup of ndots ${String(lo.group.params[NDOTS])}.`);
  }
  return out;
}

function nodeLocalSentences(rows: CapacityRow[]): string[] {
  const out: string[] = [];
  for (const line of linesAlong(rows.filter((r) => r.group.params[NODELOCAL] !== undefined), NODELOCAL)) {
    const off = line.rows.find((r) => String(r.group.params[NODELOCAL]) === 'false');
    const on = line.rows.find((r) => String(r.group.params[NODELOCAL]) === 'true');
    if (!off || !on) continue;
    const where = line.rest ? ` at ${line.rest}` : '';
    if (off.lookups !== undefined && on.lookups !== undefined) {
      const change = ((on.lookups - off.lookups) / off.lookups) * 100;
      out.push(`NodeLocal DNSCache${where}: ${n0(on.lookups)} lookups/s within the SLO with it, ${n0(off.lookups)} without (${change >= 0 ? '+' : ''}${fmt(change)}%, measured); with it the cluster DNS saw ${n0(on.queries!)} queries/s instead of ${n0(off.queries!)} (the node-local cache's own CPU is not in the per-core figures).`);
    } else if (off.lookups !== undefined || on.lookups !== undefined) {
      out.push(`NodeLocal DNSCache${where}: no comparison, ${off.lookups === undefined ? `without it ${limitText(off.records[0]!)}` : `with it ${limitText(on.records[0]!)}`}.`);
    }
  }
  return out;
}

function peakSentences(rows: CapacityRow[]): string[] {
  const withPeak = rows.filter((r) => r.perReplica !== undefined && r.records[0]!.peak > 0);
  if (withPeak.length === 0) return [];
  const peak = withPeak[0]!.records[0]!.peak;
  const parts = withPeak.map((r) => `${r.label}: ${Math.ceil(peak / r.perReplica!)} (${fmt(r.cpu! / r.records[0]!.dnsReplicas)} cores each)`);
  return [`At a peak of ${n0(peak)} lookups/s (workloads.capacity.peak) that is, in replicas of the measured size: ${parts.join('; ')}. Extrapolated: it assumes capacity adds up linearly across replicas, which this run did not measure.`];
}

const HEADROOM_PHRASE: Record<string, string> = {
  'proxy.sync.duration': 'a full rule sync (proxy.sync.duration) stays under 1 s',
  'tcp.connect.latency': 'tcp.connect.latency p99 stays under 1 ms',
};

/** The sync-vs-Services sentences, from the existing projection when services.count varies. */
export function headroomSentences(s: Scaling | undefined): string[] {
  if (!s) return [];
  const out: string[] = [];
  for (const h of s.headroom) {
    const stat = HEADROOM_LIMITS.find((x) => x.metric === h.metric && x.text === h.text)?.stat ?? 'value';
    const m = s.metrics.find((x) => x.metric === h.metric && x.stat === stat);
    const line = m?.lines.find((l) => l.label === h.line);
    if (!line?.fit) continue;
    const maxMeasured = line.points[line.points.length - 1]![0];
    const who = h.line === 'all' ? '' : ` (${h.line})`;
    const what = HEADROOM_PHRASE[h.metric] ?? h.text;
    const fit = `${line.fit.model} fit, adj. R² = ${fitQuality(line.fit)}`;
    if (h.services === undefined) out.push(`${what}${who}: not even at the smallest count measured, ${n0(line.points[0]![0])} Services (measured).`);
    else if (h.services === Infinity) out.push(`${what}${who} up to more than 1,000,000 Services by the ${fit} (extrapolated over 100x beyond the ${n0(maxMeasured)} measured).`);
    else if (h.services <= maxMeasured) out.push(`${what}${who} up to about ${n0(h.services)} Services (${fit}; within the measured range up to ${n0(maxMeasured)}, interpolated).`);
    else out.push(`${what}${who} up to about ${n0(h.services)} Services (${fit}, extrapolated ${fmt(h.services / maxMeasured)}x beyond the largest count measured, ${n0(maxMeasured)}).`);
  }
  return out;
}

export interface CapacitySection {
  sentences: string[];
  rows: CapacityRow[];
  sloLine?: string;
}

/** undefined when the run has neither a capacity search nor a Service-count headroom. */
export function capacitySection(run: RunResult, scaling: Scaling | undefined): CapacitySection | undefined {
  const rows = capacityRows(run);
  const sentences = [
    ...ndotsSentences(rows), ...nodeLocalSentences(rows), ...peakSentences(rows),
    ...rows.map(variantSentence), ...headroomSentences(scaling),
  ];
  if (sentences.length === 0) return undefined;
  const first = rows[0]?.records[0];
  return { sentences, rows, sloLine: first ? `SLO: ${sloText(first)}; each step ${fmt(first.stepMs / 1000)} s of open-loop lookups through the pod resolver (${first.dnsServer} as cluster DNS).` : undefined };
}

/** Table columns shared by the markdown and the HTML renderings. */
export const CAPACITY_COLUMNS = ['variant', 'capacity (lookups/s)', 'server queries/s', 'DNS CPU (cores)', 'lookups/s per core', 'per replica', 'p99 at capacity (ms)', 'what limited it'];

export function capacityCells(row: CapacityRow): string[] {
  const m = row.measured[0];
  const cap = row.lookups !== undefined ? `${n0(row.lookups)}${row.spread ? ` (${n0(row.spread[0])}..${n0(row.spread[1])})` : ''}` : 'n/a';
  return [row.label, cap, row.queries !== undefined ? n0(row.queries) : 'n/a', fmt(row.cpu), row.perCore !== undefined ? n0(row.perCore) : 'n/a', row.perReplica !== undefined ? n0(row.perReplica) : 'n/a', m ? (m.good.p99 === null ? 'n/a' : fmt(m.good.p99)) : 'n/a', limitText(row.records[0]!)];
}
