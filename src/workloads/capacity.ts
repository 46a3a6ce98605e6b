import { MeasurementError } from '../core/errors.js';
import { buildNames } from '../dns/names.js';
import type { AgentOutput } from '../metrics/agent-output.js';
import { SCALE, mergeEncoded, type Histogram } from '../metrics/histogram.js';
import { perCoreMeasurable, type CapacityResult, type CapacitySlo, type CapacityStep } from '../results/capacity.js';
import { MIN_STEP_LOOKUPS, type DnsWorkload } from '../scenario/schema.js';
import { searchCapacity, type StepMeasure } from './capacity-search.js';
import { dnsAgentArgs } from '../load/dns/contract.js';
import { dnsAgentRequest, podDnsConfig } from './dns.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';

/** The DNS flood's seed, so the ramp looks up the same names as a flood would. */
const NAMES_SEED = 1;

/**
 * p99 with the lookups still in flight at the step's end counted as slower than any finished
 * one: a server that drops queries must not look fast because its lookups never finished.
 * null when they alone are 1% or more of the step.
 */
export function p99WithUnfinished(h: Histogram, unfinished: number): number | null {
  const n = h.totalCount;
  const rank = 0.99 * (n + unfinished);
  if (n === 0 || rank > n) return null;
  return h.getValueAtPercentile((rank / n) * 100) / SCALE;
}

const num = (o: AgentOutput, k: string) => (typeof o.info?.[k] === 'number' ? (o.info[k] as number) : 0);

/**
 * DNS capacity search (issue 17): each step is one open-loop run of the DNS agents at a rate
 * (lookups through the pod's resolv.conf, so ndots and the search list multiply the queries as
 * in production). A series of runs rather than one run with a rate schedule: each step then has
 * its own exact histograms, failure counts and drain, and the narrowing can choose its rates
 * from what the ramp found. Server CPU and queries come from the provider's counters read
 * around each step (whichever server runs), the agents' CPU from their own report.
 */
class CapacityWorkloadImpl implements Workload {
  readonly name = 'capacity';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.capacity;
    if (!spec) return;
    const ndots = Array.isArray(spec.ndots) ? spec.ndots[0]! : spec.ndots;
    const names = buildNames(ctx.state, spec.names, spec.distinctNames, NAMES_SEED, ctx.cluster.clientNamespace);
    const files = { names: names.join('\n') + '\n' };
    const dns = podDnsConfig(ctx.cluster.nameserver, ctx.cluster.clientNamespace, ctx.cluster.clusterDomain, spec);
    const slo: CapacitySlo = { p99Ms: spec.slo.p99, failures: spec.slo.failures, tolerance: spec.slo.tolerance };
    const clients = spec.clients;
    const t0 = Date.now();
    ctx.log(`capacity: ndots ${ndots}, ${clients} client(s) x ${spec.workers} worker(s), from ${spec.start} lookups/s x${spec.factor}, ${spec.step} ms steps; SLO p99 <= ${slo.p99Ms} ms, failures <= ${slo.failures}, achieved >= offered - ${slo.tolerance * 100}%`);

    const measure = async (rate: number): Promise<StepMeasure> => {
      const t = (Date.now() - t0) / 1000;
      const flood: DnsWorkload = { ...spec, duration: spec.step, qps: rate / clients, inflight: 64 };
      const s0 = await ctx.provider.sample();
      const outs = await Promise.all(Array.from({ length: clients }, (_, i) => ctx.provider.runAgent({
        agent: 'dns', args: dnsAgentArgs(dnsAgentRequest(ctx.cluster.nameserver, flood)), files, dns, client: i % Math.max(1, ctx.cluster.clients),
        timeoutMs: spec.step + 60_000, signal: ctx.signal,
      })));
      const s1 = await ctx.provider.sample();
      const hdrs = outs.map((o) => o.metrics['dns.lookup.latency']?.hdr);
      if (hdrs.some((h) => h === undefined)) throw new MeasurementError('dns agent returned no dns.lookup.latency', 'see the agent output in the run log');
      const h = mergeEncoded(hdrs as string[]);
      const seconds = Math.max(...outs.map((o) => num(o, 'durationMs'))) / 1000 || spec.step / 1000;
      const lookups = outs.reduce((a, o) => a + num(o, 'lookups'), 0);
      const unfinished = outs.reduce((a, o) => a + num(o, 'unfinished'), 0);
      const failed = outs.reduce((a, o) => a + (o.metrics['dns.lookups.failed']?.value ?? 0), 0);
      const timeouts = outs.reduce((a, o) => a + (o.metrics['dns.queries.timeouts']?.value ?? 0), 0);
      const sent = outs.reduce((a, o) => a + num(o, 'queriesSent'), 0);
      const queries = outs.reduce((a, o) => a + num(o, 'queries'), 0);
      const agentCpus = outs.map((o) => num(o, 'cpuSeconds') / seconds);
      const m: StepMeasure = {
        t: +t.toFixed(2),
        offered: rate,
        achieved: lookups / seconds,
        lookups,
        unfinished,
        p50: h.totalCount > 0 ? h.getValueAtPercentile(50) / SCALE : 0,
        p99: p99WithUnfinished(h, unfinished),
        failedRatio: lookups + unfinished > 0 ? (failed + unfinished) / (lookups + unfinished) : 1,
        timeoutRatio: sent > 0 ? timeouts / sent : 0,
        ...(s1.dnsServerQueries !== undefined && s0.dnsServerQueries !== undefined ? { serverQueriesRate: (s1.dnsServerQueries - s0.dnsServerQueries) / seconds } : {}),
        agentQueriesRate: queries / seconds,
        serverCpu: (s1.dnsServerCpuSeconds - s0.dnsServerCpuSeconds) / seconds,
        agentCpu: agentCpus.reduce((a, b) => a + b, 0),
        agentSaturation: Math.max(...agentCpus) / spec.workers,
      };
      ctx.log(`capacity:   ${Math.round(rate)}/s offered: ${Math.round(m.achieved)}/s achieved, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99 === null ? '>all' : m.p99.toFixed(2)} ms, failed ${(m.failedRatio * 100).toFixed(2)}%, DNS ${m.serverCpu.toFixed(2)} cores, agent ${m.agentCpu.toFixed(2)} cores`);
      const at = Date.now();
      for (const [k, v] of [['offered', m.offered], ['achieved', m.achieved], ['p50', m.p50], ['p99', m.p99 ?? NaN], ['server_cpu', m.serverCpu], ['agent_cpu', m.agentCpu]] as const) ctx.sink.point(`dns.capacity.step.${k}`, +v.toFixed(3), at);
      if (spec.pause > 0) await new Promise((r) => setTimeout(r, spec.pause));
      return m;
    };

    const res = await searchCapacity({ ...spec, minRate: (MIN_STEP_LOOKUPS * 1000) / spec.step }, slo, measure, () => ctx.signal.aborted);
    const record: CapacityResult = {
      slo, stepMs: spec.step, ndots, nodeLocalDNS: ctx.scenario.cluster.nodeLocalDNS, dnsServer: ctx.cluster.tools.unbound && !ctx.cluster.tools.coredns ? 'unbound' : 'coredns', dnsReplicas: ctx.scenario.cluster.dnsReplicas,
      agentThreads: clients * spec.workers, peak: spec.peak, outcome: res.outcome, good: res.good, bad: res.bad, steps: res.steps,
    };
    ctx.sink.attachCapacity(record);
    if (res.outcome === 'slo') setCapacityMetrics(ctx, record);
    ctx.log(`capacity: ${describeOutcome(record)}`);
  }
}

/** Headline metrics, only when the server (not the load generator) broke the SLO. */
function setCapacityMetrics(ctx: WorkloadContext, r: CapacityResult): void {
  const good: CapacityStep = r.steps[r.good!]!;
  const rate = good.achieved;
  const set = (name: string, v: number) => ctx.sink.set(name, +v.toPrecision(6), good.lookups);
  set('dns.capacity.lookups_rate', rate);
  set('dns.capacity.queries_rate', good.serverQueriesRate ?? good.agentQueriesRate);
  set('dns.capacity.server_cpu', good.serverCpu);
  if (perCoreMeasurable(good, r.stepMs)) set('dns.capacity.lookups_per_core', rate / good.serverCpu);
  set('dns.capacity.lookups_per_replica', rate / r.dnsReplicas);
}

export function describeOutcome(r: CapacityResult): string {
  const g = r.good !== undefined ? r.steps[r.good] : undefined;
  const b = r.bad !== undefined ? r.steps[r.bad] : undefined;
  const rate = (s: CapacityStep) => `${Math.round(s.achieved)} lookups/s`;
  switch (r.outcome) {
    case 'slo': return `${rate(g!)} within the SLO; ${Math.round(b!.offered)}/s broke it (${b!.broke.join('; ')})`;
    case 'client-limit': return `load generator limit: the agents' CPU saturated (${(b!.agentSaturation * 100).toFixed(0)}% of their threads) at ${Math.round(b!.offered)}/s; the server took at least ${rate(g!)}`;
    case 'max-rate': return `never broke the SLO up to maxRate: at least ${rate(g!)}`;
    case 'max-steps': return `never broke the SLO within maxSteps: at least ${rate(g!)}`;
    case 'below-start': return `every rate tried broke the SLO (lowest ${Math.round(Math.min(...r.steps.map((s) => s.offered)))}/s)`;
  }
}

export const capacityWorkload: WorkloadFactory = () => new CapacityWorkloadImpl();
