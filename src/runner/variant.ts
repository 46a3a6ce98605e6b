import { messageOf } from '../core/errors.js';
import { MetricSink } from '../metrics/sink.js';
import type { ClusterState } from '../model/cluster.js';
import { GeneratedAddresses } from '../model/addressing.js';
import { generateServices } from '../model/generate.js';
import type { ClusterInfo, Provider } from '../providers/provider.js';
import type { VariantResult } from '../results/model.js';
import type { Variant } from '../scenario/expand.js';
import { WORKLOAD_ORDER, measurements, workloads } from '../workloads/index.js';
import type { WorkloadContext } from '../workloads/workload.js';

export interface VariantRun {
  runId: string;
  variant: Variant;
  provider: Provider;
  cluster: ClusterInfo;
  signal: AbortSignal;
  log(message: string): void;
}

/**
 * Programs the variant's Services, then runs its workloads in WORKLOAD_ORDER with the
 * measurements that apply to each. A failing workload is recorded and the next one still runs;
 * an abort stops at once and keeps what was measured.
 */
export async function runVariant(r: VariantRun): Promise<VariantResult> {
  const startedAt = new Date().toISOString();
  const sink = new MetricSink();
  const errors: string[] = [];
  const scenario = r.variant.scenario;
  const state: ClusterState = generateServices(scenario.services, r.cluster.dnsPodIPs ?? [], new GeneratedAddresses(r.cluster.allocatedClusterIPs));
  const ctx: WorkloadContext = { runId: r.runId, scenario, provider: r.provider, cluster: r.cluster, state, sink, signal: r.signal, log: r.log };
  try {
    r.log(`  programming ${state.services.length} Services (full sync)`);
    const first = await r.provider.applyServices(state, { full: true });
    sink.point('proxy.sync.duration', first.durationMs);
    r.log(`  initial sync ${first.durationMs.toFixed(0)} ms, ${first.rules} rules`);
    for (const name of WORKLOAD_ORDER) {
      if (!scenario.workloads[name] || r.signal.aborted) continue;
      const factory = workloads.get(name);
      if (!factory) {
        errors.push(`workload ${name}: not available in this build`);
        continue;
      }
      const active = measurements.names().map((m) => measurements.require(m)()).filter((m) => m.during.includes(name));
      r.log(`  ${name} ...`);
      const t0 = Date.now();
      try {
        for (const m of active) await m.start(ctx);
        await factory().run(ctx);
      } catch (err) {
        if (!r.signal.aborted) errors.push(`workload ${name}: ${messageOf(err)}`);
      } finally {
        for (const m of active) await m.stop(ctx).catch((err: unknown) => errors.push(`measurement ${m.name}: ${messageOf(err)}`));
      }
      r.log(`  ${name} done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    }
  } catch (err) {
    if (!r.signal.aborted) errors.push(messageOf(err));
  }
  if (r.signal.aborted) errors.push('interrupted');
  return {
    id: r.variant.id,
    params: r.variant.params,
    repeat: r.variant.repeat,
    status: errors.length === 0 ? 'completed' : 'failed',
    errors,
    startedAt,
    finishedAt: new Date().toISOString(),
    metrics: sink.results(),
    series: sink.series(),
    ...(sink.events().length > 0 ? { events: sink.events() } : {}),
    ...(sink.capacity ? { capacity: sink.capacity } : {}),
  };
}
