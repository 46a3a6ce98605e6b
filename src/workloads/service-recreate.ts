import { MeasurementError } from '../core/errors.js';
import { pause } from '../core/pause.js';
import { scaled } from '../core/time-scale.js';
import { connectAgentArgs, readResolveOutput, type ConnectResolveInfo } from '../load/connect/contract.js';
import { formatNamedTargets } from '../load/connect/named-targets.js';
import { epochNow } from '../load/connect/probe.js';
import { GeneratedAddresses } from '../model/addressing.js';
import { serviceKey, type ClusterState, type Service } from '../model/cluster.js';
import { podDnsConfig } from './dns.js';
import { httpTarget } from './http.js';
import { probeableServices, spreadIndexes } from './targets.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';

export const BIN_MS = 100;

/** One Service's life in the run: the addresses it had and when it changed (epoch ms). */
export interface Recreated {
  name: string;
  oldIP: string;
  newIP: string;
  deletedAt: number;
  recreatedAt: number;
}

/** What the attempts on one Service showed after its deletion. */
export interface StaleFigures {
  /** attempts before the deletion that failed (the harness's and the node's, not the change's) */
  controlFailed: number;
  controlAttempts: number;
  /** attempts begun after the deletion */
  attempts: number;
  failed: number;
  /** deletion -> the last attempt whose lookup still gave the old ClusterIP (0: none did) */
  oldIPWindowMs: number;
  /** attempts after the recreation whose lookup gave the old ClusterIP */
  staleAfterRecreate: number;
  /** recreation -> the last attempt that still got the old ClusterIP (0: none) */
  staleAfterRecreateMs: number;
  /** recreation -> the first attempt that resolved the new ClusterIP and connected (undefined: none did) */
  newIPDelayMs?: number;
  /** attempts after the deletion that connected to the old ClusterIP anyway (rules not yet gone) */
  oldIPConnected: number;
  /** after the deletion: outcome -> count, the outcome prefixed by which address the lookup gave (old/new/none) */
  outcomes: Record<string, number>;
}

/** The figures of one Service's attempts (resolve mode, times relative to `info.startedAt`). */
export function staleFigures(info: ConnectResolveInfo, k: number, r: Recreated): StaleFigures {
  const f: StaleFigures = { controlFailed: 0, controlAttempts: 0, attempts: 0, failed: 0, oldIPWindowMs: 0, staleAfterRecreate: 0, staleAfterRecreateMs: 0, oldIPConnected: 0, outcomes: {} };
  for (const [rel, ipIdx, oIdx, ms] of info.attempts[k] ?? []) {
    const at = info.startedAt + rel;
    const ip = ipIdx >= 0 ? info.addresses[ipIdx]! : undefined;
    const outcome = info.outcomes[oIdx]!;
    const ok = outcome === 'ok';
    if (at < r.deletedAt) {
      f.controlAttempts++;
      if (!ok) f.controlFailed++;
      continue;
    }
    f.attempts++;
    if (!ok) f.failed++;
    const which = ip === undefined ? 'none' : ip === r.oldIP ? 'old' : ip === r.newIP ? 'new' : 'other';
    const key = `${which}:${outcome}`;
    f.outcomes[key] = (f.outcomes[key] ?? 0) + 1;
    if (which === 'old') {
      // the attempt's whole span: a lookup at the edge of the TTL that then waited on a connect counts from its start
      f.oldIPWindowMs = Math.max(f.oldIPWindowMs, Math.round(at - r.deletedAt));
      if (ok) f.oldIPConnected++;
      if (at >= r.recreatedAt) {
        f.staleAfterRecreate++;
        f.staleAfterRecreateMs = Math.max(f.staleAfterRecreateMs, Math.round(at - r.recreatedAt));
      }
    }
    if (which === 'new' && ok && at >= r.recreatedAt && f.newIPDelayMs === undefined) f.newIPDelayMs = Math.round(at + ms - r.recreatedAt);
  }
  return f;
}

/** Failed attempts per 100 ms over every Service, by when they began; quiet bins as zero. */
export function failureBins(info: ConnectResolveInfo, from: number, to: number, pick: (ip: string | undefined, outcome: string) => boolean): Array<[number, number]> {
  const first = Math.floor(from / BIN_MS) * BIN_MS;
  const bins = new Map<number, number>();
  for (let t = first; t <= to; t += BIN_MS) bins.set(t, 0);
  for (const list of info.attempts) for (const [rel, ipIdx, oIdx] of list) {
    const at = info.startedAt + rel;
    if (at < from || at > to) continue;
    if (!pick(ipIdx >= 0 ? info.addresses[ipIdx] : undefined, info.outcomes[oIdx]!)) continue;
    const b = Math.floor(at / BIN_MS) * BIN_MS;
    bins.set(b, (bins.get(b) ?? 0) + 1);
  }
  return [...bins];
}

/**
 * Stale answers (issue 18): clients that look a Service up by name before every connection (an
 * application without its own DNS cache: getaddrinfo through the pod's resolv.conf, NodeLocal
 * DNSCache or kube-dns) while the Service is deleted and, `gap` later, recreated under the same
 * name with a new ClusterIP, as `kubectl delete` + `apply` or a Helm reinstall does. Every
 * attempt says which address the lookup gave and how the connection went, so the report shows
 * how long clients kept getting the old ClusterIP (the caches' TTLs: CoreDNS's kubernetes
 * plugin says 30 s, NodeLocal caches up to that), how long the new one took to be used, and
 * what failed in between.
 */
class ServiceRecreateImpl implements Workload {
  readonly name = 'recreate';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.recreate;
    if (!spec) return;
    const candidates = probeableServices(ctx.state).filter((s) => s.namespace !== 'default');
    if (candidates.length < spec.services) throw new MeasurementError(`workloads.recreate: ${spec.services} Services asked for, ${candidates.length} with a TCP port and a ready endpoint`, 'lower workloads.recreate.services or raise services.count');
    const chosen = spreadIndexes(candidates.length, spec.services).map((i) => candidates[i]!);
    const targets = chosen.map((s) => ({ name: `${s.name}.${s.namespace}`, port: httpTarget(s).port }));
    const taken = new GeneratedAddresses(ctx.state.services.map((s) => s.clusterIP).filter((ip): ip is string => typeof ip === 'string'));
    const fresh = chosen.map((s, k): Service => ({ ...s, clusterIP: taken.ip(k) }));
    const totalMs = spec.warmup + spec.gap + spec.settle;
    const dns = podDnsConfig(ctx.cluster.nameserver, ctx.cluster.clientNamespace, ctx.cluster.clusterDomain, spec);
    ctx.log(`recreate: ${chosen.length} Service(s) looked up and connected to every ${spec.interval} ms for ${totalMs} ms; deleted after ${spec.warmup} ms, recreated with a new ClusterIP ${spec.gap} ms later`);
    const agent = ctx.provider.runAgent({
      agent: 'connect', args: connectAgentArgs({ resolve: true, targets: { file: 'targets' }, durationMs: totalMs, intervalMs: spec.interval, attemptTimeoutMs: spec.attemptTimeout }),
      files: { targets: formatNamedTargets(targets) }, dns, client: 0, timeoutMs: totalMs + scaled(60_000), signal: ctx.signal,
    });
    const mark = (label: string) => {
      const t = epochNow();
      ctx.sink.event('recreate', label, t);
      return t;
    };
    const keys = new Set(chosen.map(serviceKey));
    const without: ClusterState = { ...ctx.state, services: ctx.state.services.filter((s) => !keys.has(serviceKey(s))) };
    const recreated: Recreated[] = [];
    let state = ctx.state;
    try {
      // the agent's start-up: its own clock starts when it does
      await pause(scaled(1500) + spec.warmup, ctx.signal);
      if (!ctx.signal.aborted) {
        const deletedAt = mark(`${chosen.length} Service(s) deleted`);
        state = without;
        await ctx.provider.applyServices(state, { full: false });
        const deletedMs = epochNow() - deletedAt;
        await pause(deletedAt + spec.gap - Date.now(), ctx.signal);
        const recreatedAt = mark(`recreated with new ClusterIPs`);
        state = { ...without, services: [...without.services, ...fresh] };
        await ctx.provider.applyServices(state, { full: false });
        chosen.forEach((s, k) => recreated.push({ name: targets[k]!.name, oldIP: s.clusterIP!, newIP: fresh[k]!.clusterIP!, deletedAt, recreatedAt }));
        ctx.log(`recreate: the deletion was in the API and the data plane ${deletedMs.toFixed(0)} ms after it began, the recreation ${(epochNow() - recreatedAt).toFixed(0)} ms after it began`);
      }
    } finally {
      // the variant's state and the cluster hold the new ClusterIPs from here on
      ctx.state.services.splice(0, ctx.state.services.length, ...state.services);
    }
    const out = readResolveOutput(await agent);
    if (recreated.length > 0) this.record(ctx, out.info, recreated);
  }

  private record(ctx: WorkloadContext, info: ConnectResolveInfo, recreated: Recreated[]): void {
    const s = ctx.sink;
    const all = recreated.map((r, k) => staleFigures(info, k, r));
    const sum = (f: (x: StaleFigures) => number) => all.reduce((a, x) => a + f(x), 0);
    s.set('recreate.control.failed', sum((x) => x.controlFailed), sum((x) => x.controlAttempts));
    s.set('recreate.attempts.failed', sum((x) => x.failed), sum((x) => x.attempts));
    s.set('recreate.stale_after_recreate', sum((x) => x.staleAfterRecreate), sum((x) => x.attempts));
    for (const x of all) {
      s.observe('recreate.old_ip_window', x.oldIPWindowMs);
      s.observe('recreate.stale_after_recreate_window', x.staleAfterRecreateMs);
      if (x.newIPDelayMs !== undefined) s.observe('recreate.new_ip_delay', x.newIPDelayMs);
    }
    const from = info.startedAt;
    const to = info.startedAt + info.durationMs;
    const old = new Set(recreated.map((r) => r.oldIP));
    for (const [t, n] of failureBins(info, from, to, (_ip, o) => o !== 'ok')) s.point('timeline.recreate.failures', n, t);
    for (const [t, n] of failureBins(info, from, to, (ip) => ip !== undefined && old.has(ip))) s.point('timeline.recreate.old_ip_answers', n, t);
    recreated.forEach((r, k) => {
      const x = all[k]!;
      ctx.log(`recreate: ${r.name} ${r.oldIP} -> ${r.newIP}: old ClusterIP answered for ${x.oldIPWindowMs} ms after the deletion (${x.staleAfterRecreate} attempts after the recreation), new one first connected ${x.newIPDelayMs === undefined ? 'never' : `${x.newIPDelayMs} ms`} after the recreation; ${x.failed} of ${x.attempts} attempts failed ${JSON.stringify(x.outcomes)}; control ${x.controlFailed} of ${x.controlAttempts} failed`);
    });
    if (info.skipped > 0) ctx.log(`recreate: ${info.skipped} attempts not started (too many still pending on one Service)`);
  }
}

export const serviceRecreateWorkload: WorkloadFactory = () => new ServiceRecreateImpl();
