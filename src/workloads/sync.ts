import { endpointIP } from '../model/addressing.js';
import type { ClusterState, Service } from '../model/cluster.js';
import type { SyncReport } from '../providers/provider.js';
import { SyncSpec } from '../scenario/schema.js';
import { probeableServices, spreadIndexes } from './targets.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';

/** A copy of state with `svc` replaced by `changed`; ctx.state itself is never mutated, so it stays the base to restore. */
export function replaceService(state: ClusterState, svc: Service, changed: Service): ClusterState {
  return { ...state, services: state.services.map((s) => (s === svc ? changed : s)) };
}

/** svc with one more ready endpoint, an address of the served pool that it does not hold yet. */
export function withExtraEndpoint(svc: Service, seed: number): Service {
  const held = new Set(svc.endpoints.map((e) => e.ip));
  let k = seed;
  while (held.has(endpointIP(k))) k++;
  return { ...svc, endpoints: [...svc.endpoints, { ip: endpointIP(k), ready: true }] };
}

function observe(ctx: WorkloadContext, metric: string, report: SyncReport): void {
  ctx.sink.observe(metric, report.durationMs);
  ctx.sink.point(metric, report.durationMs);
  ctx.sink.set('proxy.rules', report.rules);
}

/**
 * Times the proxy's syncs. `full` re-syncs the whole ruleset for the variant's Service count
 * (what kube-proxy does periodically and on restart); `partial` times syncs after a single
 * Service change, alternating between adding an endpoint to a Service (rotating over the list)
 * and taking it away again, so every partial sync is a genuine one-Service change. The
 * duration is the provider's (until the data plane holds the rules), which leaves out DNS zone
 * updates that applyServices may also do. The base state is programmed again at the end.
 */
export class SyncWorkload implements Workload {
  readonly name = 'sync';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.sync ?? SyncSpec.parse({});
    for (let i = 0; i < spec.full && !ctx.signal.aborted; i++) {
      const report = await ctx.provider.applyServices(ctx.state, { full: true });
      observe(ctx, 'proxy.sync.duration', report);
      ctx.log(`sync: full ${i + 1}/${spec.full}: ${report.durationMs.toFixed(1)} ms, ${report.rules} rules`);
    }
    if (spec.partial === 0) return;
    const candidates = probeableServices(ctx.state);
    if (candidates.length === 0) {
      ctx.log('sync: no ClusterIP Service to change; partial syncs skipped');
      return;
    }
    const rotation = spreadIndexes(candidates.length, Math.ceil(spec.partial / 2)).map((i) => candidates[i]!);
    let changed = false;
    try {
      for (let j = 0; j < spec.partial && !ctx.signal.aborted; j++) {
        const svc = rotation[Math.floor(j / 2) % rotation.length]!;
        const adding = j % 2 === 0;
        const next = adding ? replaceService(ctx.state, svc, withExtraEndpoint(svc, j * 7919)) : ctx.state;
        changed = adding;
        const report = await ctx.provider.applyServices(next, { full: false });
        observe(ctx, 'proxy.sync.partial.duration', report);
        ctx.log(`sync: partial ${j + 1}/${spec.partial} (${adding ? 'add endpoint to' : 'remove endpoint from'} ${svc.namespace}/${svc.name}): ${report.durationMs.toFixed(1)} ms`);
      }
    } finally {
      // an odd count (or an abort) leaves the extra endpoint in place: take it away again,
      // and report the base state's rule count, not the changed one's
      if (changed) ctx.sink.set('proxy.rules', (await ctx.provider.applyServices(ctx.state, { full: false })).rules);
    }
  }
}

export const syncWorkload: WorkloadFactory = () => new SyncWorkload();
