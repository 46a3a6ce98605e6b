import { MeasurementError, messageOf } from '../core/errors.js';
import { pause } from '../core/pause.js';
import { scaled } from '../core/time-scale.js';
import { HTTP_AGENT_DEFAULTS, httpAgentArgs, readHttpTraceOutput, type HttpTraceOutput } from '../load/http/contract.js';
import { formatTargets } from '../load/targets.js';
import { ENDPOINT_POOL_BASE, ENDPOINT_POOL_SIZE, addIp } from '../model/addressing.js';
import { serviceKey, type ClusterState, type Endpoint, type Service } from '../model/cluster.js';
import { RollingUpdateSpec } from '../scenario/schema.js';
import { httpTarget } from './http.js';
import { hangBoundMs, loadUntilStopped } from './load-until.js';
import { rolloutBatches } from './rollout-plan.js';
import { probeableServices, spreadIndexes } from './targets.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';

/** Room on top of the planned load for the agent to start and report. */
const AGENT_MARGIN_MS = 30_000;

interface Rolled {
  key: string;
  target: string;
  /** endpoints of the rollout's new pods, in the order they start */
  fresh: string[];
  /** when each replaced endpoint went terminating (epoch ms, just before the apply) */
  markedAt: Map<string, number>;
  /** when each replaced endpoint's backend stopped */
  stoppedAt: Map<string, number>;
  /** the new endpoints started so far */
  started: string[];
}

/**
 * rollout.*: a Deployment-style rollout of Services under paced HTTP load (keep-alive or a new
 * connection per request), on providers that can stop single endpoints' backends (local).
 * Before it, each rolled Service gets `replicas` endpoints of its own; then, batch by batch
 * (rollout-plan.ts), new endpoints' backends start and join ready, replaced ones go terminating
 * (not ready, still serving) for terminationGrace, their backends stop (RST or silence) and they
 * leave the slice. One trace-mode HTTP agent classifies every request and names the endpoint that
 * answered; from it: errors by kind, per Service the error window (first to last failed request)
 * and per replaced endpoint the convergence (terminating mark to the last request it answered),
 * errors per 100 ms with every change marked.
 */
export class RollingUpdateWorkload implements Workload {
  readonly name = 'rollingUpdate';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.rollingUpdate ?? RollingUpdateSpec.parse({});
    const control = ctx.provider.endpoints;
    if (!control) throw new MeasurementError(`rollingUpdate: the ${ctx.provider.name} provider cannot stop single endpoints' backends`, 'run it on the local provider (kind and existing would need real Deployments: not built yet)');
    const picked = pickServices(ctx.state, spec.services);
    if (picked.length < spec.services) throw new MeasurementError(`rollingUpdate: ${spec.services} Services asked, the cluster has ${picked.length} with a TCP port and an endpoint`, 'raise services.count or lower workloads.rollingUpdate.services');
    const batches = rolloutBatches(spec.replicas, spec.maxSurge, spec.maxUnavailable);
    const pool = freeEndpoints(ctx.state, picked.length * spec.replicas * 2);

    // each rolled Service starts with `replicas` endpoints of its own, all serving
    const initial = new Map<string, Endpoint[]>();
    const rolled: Rolled[] = picked.map((s, i) => {
      const ips = pool.slice(i * spec.replicas * 2, (i + 1) * spec.replicas * 2);
      initial.set(serviceKey(s), ips.slice(0, spec.replicas).map((ip) => ({ ip, ready: true })));
      const t = httpTarget(s);
      return { key: serviceKey(s), target: `${t.host}:${t.port}`, fresh: ips.slice(spec.replicas), markedAt: new Map(), stoppedAt: new Map(), started: [] };
    });
    // the new pods' addresses do not answer until their backend "starts"
    await control.set(rolled.flatMap((r) => r.fresh), 'drop');
    let endpoints = new Map(initial);
    const stateOf = (eps: Map<string, Endpoint[]>): ClusterState => ({ ...ctx.state, services: ctx.state.services.map((s) => (eps.has(serviceKey(s)) ? { ...s, endpoints: eps.get(serviceKey(s))! } : s)) });
    let applied = false;
    const load = loadUntilStopped(ctx.signal);
    try {
      const a0 = Date.now();
      await ctx.provider.applyServices(stateOf(endpoints), { full: false });
      applied = true;
      const applyMs = Date.now() - a0;
      const warmupMs = await this.calibrateWarmup(ctx, picked[0]!);
      const perBatchMs = spec.terminationGrace + spec.batchInterval + 3 * Math.max(applyMs, 200);
      const loadMs = warmupMs + 2 * spec.settle + batches.length * perBatchMs;
      ctx.log(`rollingUpdate: ${picked.length} Services x ${spec.replicas} endpoints, ${batches.length} batches (${batches.map((b) => `+${b.start}/-${b.stop}`).join(' ')}), ${spec.keepAlive ? 'keep-alive' : 'a new connection per request'}, ${spec.connections} connection(s) per Service every ${spec.interval} ms; load until ${spec.settle} ms after the rollout (planned ${(loadMs / 1000).toFixed(1)} s)`);

      // stopped `settle` after the last batch (a length fixed up front ended before the last
      // batch in one CI run)
      const boundMs = hangBoundMs(loadMs);
      const agent: Promise<HttpTraceOutput | Error> = ctx.provider
        .runAgent({
          agent: 'http',
          args: httpAgentArgs({ targets: { file: 'targets' }, durationMs: boundMs, connections: spec.connections, keepAlive: spec.keepAlive, timeoutMs: spec.timeout, trace: { intervalMs: spec.interval } }),
          files: { targets: formatTargets(picked.map(httpTarget)) },
          client: 0,
          timeoutMs: boundMs + scaled(AGENT_MARGIN_MS),
          signal: load.signal,
        })
        .then(readHttpTraceOutput)
        .catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
      await pause(warmupMs + spec.settle, ctx.signal);

      const old = new Map([...initial].map(([k, eps]) => [k, eps.map((e) => e.ip)]));
      for (const [n, batch] of batches.entries()) {
        if (ctx.signal.aborted) break;
        const label = `batch ${n + 1}/${batches.length}`;
        if (batch.start > 0) {
          const started = rolled.map((r) => r.fresh.splice(0, batch.start));
          rolled.forEach((r, i) => r.started.push(...started[i]!));
          await control.set(started.flat(), 'serving');
          endpoints = new Map(rolled.map((r, i) => [r.key, [...endpoints.get(r.key)!, ...started[i]!.map((ip) => ({ ip, ready: true }))]]));
          await this.apply(ctx, stateOf(endpoints), `${label}: +${batch.start} ready`);
        }
        if (batch.stop === 0) {
          await pause(spec.batchInterval, ctx.signal);
          continue;
        }
        const stopping = rolled.map((r) => old.get(r.key)!.splice(0, batch.stop));
        const markAt = Date.now();
        rolled.forEach((r, i) => { for (const ip of stopping[i]!) r.markedAt.set(ip, markAt); });
        endpoints = new Map(rolled.map((r, i) => [r.key, endpoints.get(r.key)!.map((e) => (stopping[i]!.includes(e.ip) ? { ip: e.ip, ready: false, serving: true, terminating: true } : e))]));
        await this.apply(ctx, stateOf(endpoints), `${label}: ${batch.stop} terminating`, markAt);
        await pause(spec.terminationGrace, ctx.signal);
        // stamped once the stop is in effect: setting it can take a second under emulation,
        // and an answer before then is no fault
        await control.set(stopping.flat(), spec.stoppedBackend);
        const stopAt = Date.now();
        rolled.forEach((r, i) => { for (const ip of stopping[i]!) r.stoppedAt.set(ip, stopAt); });
        ctx.sink.event(this.name, `${label}: ${batch.stop} backend(s) stopped (${spec.stoppedBackend})`, stopAt);
        endpoints = new Map(rolled.map((r, i) => [r.key, endpoints.get(r.key)!.filter((e) => !stopping[i]!.includes(e.ip))]));
        await this.apply(ctx, stateOf(endpoints), `${label}: ${batch.stop} removed`);
        await pause(spec.batchInterval, ctx.signal);
      }
      await pause(spec.settle, ctx.signal);
      ctx.log('rollingUpdate: rollout done and settled; stopping the load');
      load.stop();
      const out = await agent;
      if (out instanceof Error) {
        if (ctx.signal.aborted) return;
        throw new MeasurementError(`rollingUpdate: the HTTP trace agent failed: ${messageOf(out)}`);
      }
      this.record(ctx, out, rolled);
    } finally {
      load.stop();
      await control.reset().catch(() => undefined);
      if (applied) await ctx.provider.applyServices(ctx.state, { full: false }).catch((err: unknown) => ctx.log(`rollingUpdate: restoring the Services failed: ${messageOf(err)}`));
    }
  }

  private async apply(ctx: WorkloadContext, state: ClusterState, label: string, at = Date.now()): Promise<void> {
    const report = await ctx.provider.applyServices(state, { full: false });
    ctx.sink.event(this.name, label, at);
    ctx.sink.observe('proxy.sync.partial.duration', report.durationMs);
  }

  /** How long a trace agent takes to start on client 0 here (a loaded node takes seconds): twice a measured start. */
  private async calibrateWarmup(ctx: WorkloadContext, s: Service): Promise<number> {
    const t0 = Date.now();
    await ctx.provider.runAgent({
      agent: 'http',
      args: httpAgentArgs({ targets: { file: 'targets' }, durationMs: 1, connections: 1, timeoutMs: 500, trace: { intervalMs: HTTP_AGENT_DEFAULTS.intervalMs } }),
      files: { targets: formatTargets([httpTarget(s)]) },
      client: 0,
      timeoutMs: scaled(60_000),
      signal: ctx.signal,
    });
    return 2 * (Date.now() - t0) + 250;
  }

  private record(ctx: WorkloadContext, out: HttpTraceOutput, rolled: Rolled[]): void {
    const { trace, requests } = out.info;
    const ok = trace.kinds.indexOf('ok');
    if (out.metrics['http.latency']?.hdr) ctx.sink.mergeHistogram('rollout.latency', out.metrics['http.latency'].hdr);
    ctx.sink.set('rollout.requests', requests);
    const totals = new Array<number>(trace.kinds.length).fill(0);
    const perBin: number[] = [];
    for (const t of trace.targets) {
      t.bins.forEach((b, i) => {
        b.forEach((n, k) => { totals[k]! += n; });
        perBin[i] = (perBin[i] ?? 0) + b.reduce((a, n, k) => a + (k === ok ? 0 : n), 0);
      });
    }
    const errors = totals.reduce((a, n, k) => a + (k === ok ? 0 : n), 0);
    trace.kinds.forEach((k, i) => { if (k !== 'ok') ctx.sink.set(`rollout.errors.${k}`, totals[i]!); });
    ctx.sink.set('rollout.errors', errors);
    ctx.sink.set('rollout.error_ratio', requests > 0 ? errors / requests : 0, requests);
    if (trace.agentStall) ctx.sink.set('rollout.agent_stall', trace.agentStall.totalMs);
    for (let i = 0; i < perBin.length; i++) ctx.sink.point('timeline.rollout.errors', perBin[i] ?? 0, trace.t0 + i * trace.binMs);

    const problems: string[] = [];
    for (const r of rolled) {
      const t = trace.targets.find((x) => x.target === r.target);
      if (!t) {
        problems.push(`${r.key}: no trace`);
        continue;
      }
      // error window: first to last failed request of the Service (0 when none failed)
      const times = t.errors.map(([at]) => at);
      ctx.sink.observe('rollout.error_window', times.length === 0 ? 0 : Math.max(...times) - Math.min(...times) + trace.binMs);
      for (const [ip, marked] of r.markedAt) {
        // with keep-alive, a connection stays on the endpoint it was opened to: endpoints no
        // connection landed on have nothing to converge
        const seen = t.endpoints[ip];
        if (!seen) continue;
        ctx.sink.observe('rollout.convergence', Math.max(0, seen.last - marked));
        const stopped = r.stoppedAt.get(ip);
        // a stopped backend answers nothing: an answer after it means the harness did not stop it
        if (stopped !== undefined && seen.last > stopped + 50) problems.push(`${r.key}: endpoint ${ip} answered ${seen.last - stopped} ms after its backend stopped`);
      }
      if (!r.started.some((ip) => t.endpoints[ip])) problems.push(`${r.key}: none of the new endpoints (${r.started.join(', ')}) ever answered`);
      if (r.markedAt.size > 0 && !Object.keys(t.endpoints).some((ip) => r.markedAt.has(ip))) problems.push(`${r.key}: none of the replaced endpoints answered before the rollout: the load did not reach them`);
    }
    ctx.log(`rollingUpdate: ${requests} requests, ${errors} failed (${trace.kinds.map((k, i) => (k === 'ok' || totals[i] === 0 ? '' : `${k} ${totals[i]}`)).filter(Boolean).join(', ') || 'none'}); samples ${JSON.stringify(trace.errorSamples.slice(0, 3))}${stallNote(trace.agentStall)}`);
    if (problems.length > 0) throw new MeasurementError(`rollingUpdate: ${problems[0]}${problems.length > 1 ? ` (+${problems.length - 1} more)` : ''}`, undefined, problems);
  }
}

/** The agent's own stalls, when it had any: they are the harness's, and excluded from the timeouts. */
function stallNote(s: HttpTraceOutput['info']['trace']['agentStall']): string {
  if (!s || s.totalMs === 0) return '';
  return `; the agent itself was held up ${s.totalMs} ms in all (longest ${s.longestMs} ms), ${s.extendedRequests} request deadline(s) extended by it`;
}

function pickServices(state: ClusterState, n: number): Service[] {
  const services = probeableServices(state);
  return spreadIndexes(services.length, Math.min(n, services.length)).map((i) => services[i]!);
}

/** Endpoint-pool addresses no Service uses, for the rollout's own pods. */
function freeEndpoints(state: ClusterState, n: number): string[] {
  const used = new Set(state.services.flatMap((s) => s.endpoints.map((e) => e.ip)));
  const out: string[] = [];
  for (let k = ENDPOINT_POOL_SIZE - 1; k >= 0 && out.length < n; k--) {
    const ip = addIp(ENDPOINT_POOL_BASE, k);
    // .0 and .255 stay out: a pod gets neither from a /24 per node
    if (!used.has(ip) && !/\.(0|255)$/.test(ip)) out.push(ip);
  }
  if (out.length < n) throw new MeasurementError(`rollingUpdate: needs ${n} free endpoint addresses, the pool has ${out.length} left`, 'lower services.count x services.endpointsPerService (the local endpoint pool holds 16384)');
  return out;
}

export const rollingUpdateWorkload: WorkloadFactory = () => new RollingUpdateWorkload();
