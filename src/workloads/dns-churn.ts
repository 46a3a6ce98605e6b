import { MeasurementError, UsageError, messageOf } from '../core/errors.js';
import { pause } from '../core/pause.js';
import { scaled } from '../core/time-scale.js';
import { buildNames } from '../dns/names.js';
import { dnsAgentArgs, POD_RESOLV_CONF, readDnsOutput, type DnsAgentOutput } from '../load/dns/contract.js';
import { epochNow } from '../load/connect/probe.js';
import type { ClusterState, Service } from '../model/cluster.js';
import type { DnsInstance, DnsInstances } from '../providers/provider.js';
import type { DnsChurnWorkload } from '../scenario/schema.js';
import { podDnsConfig } from './dns.js';
import { hangBoundMs, loadUntilStopped } from './load-until.js';
import { errorWindows, mergeTimelines, type Timeline } from './timeline.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';

export const BIN_MS = 100;
const NAMES_SEED = 1;

/** kube-dns's endpoints with `edit` applied; the rest of the state as it was. */
function withKubeDns(state: ClusterState, edit: (s: Service) => Service): ClusterState {
  return { ...state, services: state.services.map((s) => (s.namespace === 'kube-system' && s.name === 'kube-dns' ? edit(s) : s)) };
}

/** One replacement as it happened: epoch ms of each step. */
interface Replacement {
  old: DnsInstance;
  fresh: DnsInstance;
  startedAt: number;
  addedAt: number;
  terminatingAt: number;
  exitedAt: number;
  removedAt: number;
  /** queries the new one answered by the end */
  freshQueries?: number;
  /** ms from the removal until no conntrack entry led to the old address (undefined: never cleared while watched) */
  conntrackClearedMs?: number;
  conntrackAtRemoval: number;
}

/**
 * DNS server churn: an open-loop DNS flood through the pods' resolvers (the dns agent, its
 * sockets kept for the whole flood so source ports are reused) while the cluster DNS instances
 * are replaced one at a time as a CoreDNS Deployment rollout does: the new pod is started at a
 * new address and added to kube-dns ready; the old one is marked terminating (ready false,
 * serving as configured) and sent SIGTERM (CoreDNS's lameduck keeps it answering 5 s), and once
 * it has exited its endpoint is removed after `removalDelay` and its address leads nowhere.
 * Failures are counted per 100 ms by when each lookup began; a control flood with no change
 * comes first, so failures the harness or the node cause show up there.
 */
export class DnsChurnWorkloadImpl implements Workload {
  readonly name = 'dnsChurn';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.dnsChurn;
    if (!spec) return;
    const dns = ctx.provider.dnsInstances?.();
    if (!dns) throw new UsageError(`workloads.dnsChurn: provider ${ctx.provider.name} cannot replace cluster DNS instances`, 'use provider local with real CoreDNS (cluster.components real, cluster.dnsServer coredns)');
    const floodMs = spec.warmup + spec.replacements * spec.interval + spec.settle;
    if (spec.control) {
      ctx.log(`dnsChurn: control flood, ${floodMs} ms with no change`);
      const control = mergeTimelines(await this.flood(ctx, spec, floodMs));
      const failed = control.bins.reduce((a, b) => a + b[2], 0);
      const lookups = control.bins.reduce((a, b) => a + b[1], 0);
      const delayed = control.bins.reduce((a, b) => a + b[3], 0);
      ctx.sink.set('dns.churn.control.lookups.failed', failed, lookups);
      ctx.sink.set('dns.churn.control.lookups.delayed', delayed, lookups);
      ctx.log(`dnsChurn: control: ${failed} of ${lookups} lookups failed, ${delayed} waited out a resolver timeout`);
    }
    if (ctx.signal.aborted) return;
    ctx.log(`dnsChurn: flood ${floodMs} ms or until the replacements are done and settled, ${spec.replacements} replacement(s) every ${spec.interval} ms after ${spec.warmup} ms`);
    // the flood lasts until `settle` after the last replacement (IPVS under emulation took 46 s
    // for one sync), so the changes always happen under load
    const load = loadUntilStopped(ctx.signal);
    const flood = this.flood(ctx, spec, hangBoundMs(floodMs), load.signal);
    const replaced: Replacement[] = [];
    let state = ctx.state;
    const errors: string[] = [];
    const floodStart = Date.now();
    try {
      // the agents' start-up: the flood's own clock starts when they do
      await pause(scaled(1500) + spec.warmup, ctx.signal);
      for (let k = 0; k < spec.replacements && !ctx.signal.aborted; k++) {
        const t0 = Date.now();
        const r = await this.replace(ctx, dns, spec, state, k);
        state = r.state;
        replaced.push(r.replacement);
        await pause(t0 + spec.interval - Date.now(), ctx.signal);
      }
      await pause(spec.settle, ctx.signal);
    } catch (err) {
      errors.push(`dnsChurn: replacement failed: ${messageOf(err)}`);
    } finally {
      load.stop();
      const took = Date.now() - floodStart;
      if (took > floodMs * 1.2) ctx.log(`dnsChurn: the flood ran ${took} ms instead of ${floodMs} ms: the replacements took longer than their interval`);
      // the base state's kube-dns names pods that are gone now: keep the variant's state in step
      ctx.state.services.splice(0, ctx.state.services.length, ...state.services);
      // and the cluster's: the next variant on this cluster programs kube-dns from these
      ctx.cluster.dnsPodIPs = dns.list().map((d) => d.ip);
    }
    const outs = await flood;
    for (const r of replaced) r.freshQueries = await dns.queries(r.fresh.ip).catch(() => undefined);
    this.record(ctx, mergeTimelines(outs), outs, replaced);
    if (errors.length > 0) throw new MeasurementError(errors[0]!, undefined, errors);
  }

  /** One flood of floodMs (or until signal) on every client, with failures per 100 ms. */
  private async flood(ctx: WorkloadContext, spec: DnsChurnWorkload, floodMs: number, signal: AbortSignal = ctx.signal): Promise<DnsAgentOutput[]> {
    const zone = ctx.cluster.clusterDomain;
    const names = buildNames(ctx.state, spec.names, spec.distinctNames, NAMES_SEED, ctx.cluster.clientNamespace);
    const dns = podDnsConfig(ctx.cluster.nameserver, ctx.cluster.clientNamespace, zone, spec);
    const args = dnsAgentArgs({
      server: { host: ctx.cluster.nameserver, port: 53 }, names: { file: 'names' }, resolvConf: POD_RESOLV_CONF,
      resolver: spec.resolver, durationMs: floodMs, qps: spec.qps, sockets: spec.sockets, expectFound: true, timelineBinMs: BIN_MS,
    });
    const outs = await Promise.all(Array.from({ length: spec.clients }, (_, i) =>
      ctx.provider.runAgent({ agent: 'dns', args, files: { names: names.join('\n') + '\n' }, dns, client: i % Math.max(1, ctx.cluster.clients), timeoutMs: floodMs + scaled(60_000), signal })));
    return outs.map(readDnsOutput);
  }

  /** The rollout's steps for one instance, each marked on the time line. */
  private async replace(ctx: WorkloadContext, dns: DnsInstances, spec: DnsChurnWorkload, state: ClusterState, k: number): Promise<{ state: ClusterState; replacement: Replacement }> {
    const old = dns.list()[0];
    if (!old) throw new MeasurementError('no cluster DNS instance left to replace');
    const mark = (label: string) => {
      const t = epochNow();
      ctx.sink.event('dnsChurn', label, t);
      return t;
    };
    const startedAt = mark(`${k + 1}: new DNS pod starting`);
    const fresh = await dns.start();
    state = withKubeDns(state, (s) => ({ ...s, endpoints: [...s.endpoints, { ip: fresh.ip, ready: true }] }));
    await ctx.provider.applyServices(state, { full: false });
    const addedAt = mark(`${k + 1}: ${fresh.name} ready in kube-dns`);
    state = withKubeDns(state, (s) => ({ ...s, endpoints: s.endpoints.map((e) => (e.ip === old.ip ? { ip: e.ip, ready: false, terminating: true, serving: spec.servingWhileTerminating } : e)) }));
    await ctx.provider.applyServices(state, { full: false });
    const terminatingAt = mark(`${k + 1}: ${old.name} terminating`);
    await dns.stop(old.ip);
    const exitedAt = mark(`${k + 1}: ${old.name} exited`);
    await pause(spec.removalDelay - (Date.now() - exitedAt), ctx.signal);
    state = withKubeDns(state, (s) => ({ ...s, endpoints: s.endpoints.filter((e) => e.ip !== old.ip) }));
    await dns.remove(old.ip);
    const conntrackAtRemoval = await dns.conntrackEntries(old.ip);
    const removeStart = Date.now();
    await ctx.provider.applyServices(state, { full: false });
    const removedAt = mark(`${k + 1}: ${old.name} removed from kube-dns`);
    // how long flows still led to the old address: kube-proxy deletes them in the sync after the removal
    // none at the removal: nothing to clear (polling would time the sync instead)
    let conntrackClearedMs: number | undefined = conntrackAtRemoval === 0 ? 0 : undefined;
    for (const deadline = Date.now() + Math.min(spec.interval, 10_000); conntrackClearedMs === undefined && Date.now() < deadline && !ctx.signal.aborted; await pause(50, ctx.signal)) {
      if ((await dns.conntrackEntries(old.ip)) === 0) {
        conntrackClearedMs = Date.now() - removeStart;
        break;
      }
    }
    ctx.log(`dnsChurn: ${k + 1}: ${old.name} (${old.ip}) -> ${fresh.name} (${fresh.ip}); ${conntrackAtRemoval} conntrack entries to the old pod at its removal, ${conntrackClearedMs === undefined ? 'not cleared while watched' : `none ${conntrackClearedMs} ms after it`}`);
    return { state, replacement: { old, fresh, startedAt, addedAt, terminatingAt, exitedAt, removedAt, conntrackAtRemoval, conntrackClearedMs } };
  }

  private record(ctx: WorkloadContext, t: Timeline, outs: DnsAgentOutput[], replaced: Replacement[]): void {
    const s = ctx.sink;
    let failed = 0;
    let lookups = 0;
    let delayed = 0;
    for (const [at, n, f, d] of t.bins) {
      s.point('timeline.dns.churn.failures', f, at);
      s.point('timeline.dns.churn.delayed', d, at);
      failed += f;
      lookups += n;
      delayed += d;
    }
    for (const o of outs) {
      s.mergeHistogram('dns.churn.lookup.latency', o.metrics['dns.lookup.latency']!.hdr!);
      s.add('dns.churn.queries.timeouts', o.metrics['dns.queries.timeouts']?.value ?? 0);
    }
    s.set('dns.churn.lookups.failed', failed, lookups);
    s.set('dns.churn.failure_ratio', lookups > 0 ? failed / lookups : 0, lookups);
    s.set('dns.churn.lookups.delayed', delayed, lookups);
    const windows = errorWindows(t, replaced.map((r) => r.startedAt));
    for (const w of windows) s.observe('dns.churn.error_window', w.durationMs);
    const delays = errorWindows(t, replaced.map((r) => r.startedAt), 3);
    for (const w of delays) s.observe('dns.churn.delay_window', w.durationMs);
    for (const r of replaced) {
      if (r.conntrackClearedMs !== undefined) s.observe('dns.churn.conntrack_clear', r.conntrackClearedMs);
      s.add('dns.churn.conntrack_at_removal', r.conntrackAtRemoval);
      if (r.freshQueries !== undefined) s.add('dns.churn.new_instance_queries', r.freshQueries);
    }
    const statuses: Record<string, number> = {};
    const rcodes: Record<string, number> = {};
    for (const o of outs) {
      for (const [k, v] of Object.entries(o.info.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
      for (const [k, v] of Object.entries(o.info.rcodes)) rcodes[k] = (rcodes[k] ?? 0) + v;
    }
    const icmp = outs.reduce((a, o) => a + o.info.socketErrors, 0);
    ctx.log(`dnsChurn: lookup statuses ${JSON.stringify(statuses)}, answers by rcode ${JSON.stringify(rcodes)}, ICMP errors on the agents' sockets ${icmp}`);
    const cpu = outs.reduce((a, o) => a + o.info.cpuSeconds, 0);
    const secs = outs.reduce((a, o) => a + o.info.durationMs, 0) / 1000;
    ctx.log(`dnsChurn: ${failed} of ${lookups} lookups failed; windows ${windows.map((w) => `${w.durationMs} ms (${w.failed} failed)`).join(', ') || 'none'}; ${delayed} waited out a resolver timeout, windows ${delays.map((w) => `${w.durationMs} ms (${w.failed})`).join(', ') || 'none'}; agent CPU ${(secs > 0 ? cpu / secs : 0).toFixed(2)} cores`);
  }
}

export const dnsChurnWorkload: WorkloadFactory = () => new DnsChurnWorkloadImpl();
