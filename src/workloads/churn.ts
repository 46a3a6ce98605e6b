import { GeneratedAddresses } from '../model/addressing.js';
import { MeasurementError, messageOf } from '../core/errors.js';
import { pause } from '../core/pause.js';
import { connectAgentArgs, readAwaitOutput, type ConnectAgentOutput, type ConnectAwaitInfo } from '../load/connect/contract.js';
import { epochNow } from '../load/connect/probe.js';
import { formatTargets, targetKey, type Target } from '../load/targets.js';
import type { ClusterState, Service } from '../model/cluster.js';
import { generatedService } from '../model/generate.js';
import { ChurnSpec } from '../scenario/schema.js';
import { serviceTarget } from './targets.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';
import { scaled } from '../core/time-scale.js';

/** Least head start for the await agent (process start in a namespace or pod) before the first Service is created. */
export const AGENT_WARMUP_MS = 1500;
/**
 * Per created Service, the least room for its sync in the await agent's overall limit; more
 * when one applyServices call measures slower here. The agent ends as soon as every Service
 * answered, so a generous limit costs time only when a Service never becomes reachable.
 */
const SYNC_ALLOWANCE_MS = 5000;

/**
 * proxy.programming.latency: Services created while the cluster runs, one every `interval`
 * (indexes after services.count, so their ClusterIPs are new). One await-mode connect agent
 * already probes all their ClusterIPs before the first is created (its head start is twice a
 * measured agent start-up); a Service's latency is the agent's first successful connect minus
 * the moment just before applyServices was called. If the agent began probing too late to see
 * a Service appear, no value is recorded and the workload fails with that reason. The created
 * Services are removed at the end.
 */
export class ChurnWorkload implements Workload {
  readonly name = 'churn';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.churn ?? ChurnSpec.parse({});
    const base = ctx.scenario.services.count;
    const created: Service[] = Array.from({ length: spec.create }, (_, k) => generatedService(base + k, ctx.scenario.services, new GeneratedAddresses(ctx.cluster.allocatedClusterIPs)));
    const keys = created.map((s) => targetKey(serviceTarget(s)));
    const warmupMs = await this.calibrateWarmup(ctx, serviceTarget(created[0]!));
    // what one applyServices call costs here (proxy and DNS), with nothing to change
    const a0 = Date.now();
    await ctx.provider.applyServices(ctx.state, { full: false });
    const allowanceMs = Math.max(SYNC_ALLOWANCE_MS, 5 * (Date.now() - a0));
    if (ctx.signal.aborted) return;
    const agentTimeoutMs = warmupMs + spec.create * (spec.interval + allowanceMs) + spec.timeout;
    const errors: string[] = [];

    const agent: Promise<ConnectAgentOutput<ConnectAwaitInfo> | Error> = ctx.provider
      .runAgent({
        agent: 'connect',
        args: connectAgentArgs({ await: true, targets: { file: 'targets' }, timeoutMs: agentTimeoutMs }),
        files: { targets: formatTargets(created.map(serviceTarget)) },
        client: 0,
        timeoutMs: agentTimeoutMs + scaled(30_000),
        signal: ctx.signal,
      })
      .then(readAwaitOutput)
      .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    ctx.log(`churn: await agent started; first Service in ${warmupMs} ms`);
    await pause(warmupMs, ctx.signal);

    const createdAt = new Map<string, number>();
    let state: ClusterState = ctx.state;
    try {
      const t0 = Date.now();
      for (let k = 0; k < created.length && !ctx.signal.aborted; k++) {
        await pause(t0 + k * spec.interval - Date.now(), ctx.signal);
        if (ctx.signal.aborted) break;
        state = { ...state, services: [...state.services, created[k]!] };
        createdAt.set(keys[k]!, epochNow());
        const report = await ctx.provider.applyServices(state, { full: false });
        ctx.sink.observe('proxy.sync.partial.duration', report.durationMs);
        ctx.sink.point('proxy.sync.partial.duration', report.durationMs);
        ctx.sink.set('proxy.rules', report.rules);
      }
      ctx.log(`churn: created ${createdAt.size} Services; waiting for the await agent`);
      const out = await agent;
      if (out instanceof Error) {
        if (!ctx.signal.aborted) errors.push(`churn: await agent failed: ${messageOf(out)}`);
      } else this.record(ctx, out, createdAt, spec.timeout, errors);
    } finally {
      // take the created Services away again: the runner expects the base state back
      if (state !== ctx.state) ctx.sink.set('proxy.rules', (await ctx.provider.applyServices(ctx.state, { full: false })).rules);
    }
    if (errors.length > 0) throw new MeasurementError(errors[0]!, undefined, errors);
  }

  /**
   * How long an agent takes to start on client 0 here and now (a loaded node or a pod start can
   * take seconds): one throw-away probe timed end to end; the await agent gets twice that.
   */
  private async calibrateWarmup(ctx: WorkloadContext, target: Target): Promise<number> {
    const t0 = Date.now();
    try {
      await ctx.provider.runAgent({
        agent: 'connect',
        args: connectAgentArgs({ targets: { file: 'targets' }, probes: 1, timeoutMs: 50 }),
        files: { targets: formatTargets([target]) },
        client: 0,
        timeoutMs: 60_000,
        signal: ctx.signal,
      });
    } catch (err) {
      ctx.log(`churn: calibration agent failed (${messageOf(err)}); using the default head start`);
      return AGENT_WARMUP_MS;
    }
    return Math.max(AGENT_WARMUP_MS, 2 * (Date.now() - t0) + 250);
  }

  private record(ctx: WorkloadContext, out: ConnectAgentOutput<ConnectAwaitInfo>, createdAt: Map<string, number>, timeoutMs: number, errors: string[]): void {
    const { startedAt, firstSuccess } = out.info;
    const firstCreated = Math.min(...createdAt.values());
    if (!Number.isFinite(startedAt) || startedAt > firstCreated) {
      errors.push(`churn: the await agent began probing ${(startedAt - firstCreated).toFixed(0)} ms after the first Service was created; proxy.programming.latency not measured`);
      return;
    }
    ctx.log(`churn: await agent made ${out.info.attempts} attempts, longest gap between two on one target ${out.info.maxAttemptGapMs} ms`);
    const late: string[] = [];
    const early: string[] = [];
    for (const [key, at] of createdAt) {
      const seen = firstSuccess[key];
      if (seen === undefined || seen - at > timeoutMs) late.push(seen === undefined ? `${key} (never)` : `${key} (after ${(seen - at).toFixed(0)} ms)`);
      else if (seen < at) early.push(key);
      else {
        ctx.sink.observe('proxy.programming.latency', seen - at);
        ctx.sink.point('proxy.programming.latency', seen - at, at);
      }
    }
    ctx.log(`churn: ${ctx.sink.histogramCount('proxy.programming.latency')} Services reached`);
    if (late.length > 0) errors.push(`churn: ${late.length} of ${createdAt.size} Services not reachable within ${timeoutMs} ms: ${late.slice(0, 5).join(', ')}`);
    if (early.length > 0) errors.push(`churn: ${early.length} Services answered before they were created (stale rules?): ${early.slice(0, 5).join(', ')}`);
  }
}

export const churnWorkload: WorkloadFactory = () => new ChurnWorkload();
