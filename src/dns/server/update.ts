import { serviceKey, type ClusterState, type Service } from '../../model/cluster.js';
import { reloadClusterZones, unboundAddServices, unboundRemoveLocalZones } from './unbound-process.js';

/**
 * How a running cluster unbound follows a state change: nothing, just the added Services (churn
 * creates Services one by one; a control-socket add costs the same at 100 or 50k Services), or a
 * zone reload when anything was removed or changed (endpoints of a headless Service, say).
 */
export type DnsUpdate = { kind: 'none' } | { kind: 'add'; services: Service[] } | { kind: 'reload' };

export function planDnsUpdate(prev: ClusterState, next: ClusterState): DnsUpdate {
  if (prev.clusterDomain !== next.clusterDomain) return { kind: 'reload' };
  const before = new Map(prev.services.map((s) => [serviceKey(s), JSON.stringify(s)]));
  const added: Service[] = [];
  let kept = 0;
  for (const s of next.services) {
    const old = before.get(serviceKey(s));
    if (old === undefined) added.push(s);
    else if (old !== JSON.stringify(s)) return { kind: 'reload' };
    else kept++;
  }
  if (kept !== before.size) return { kind: 'reload' };
  return added.length === 0 ? { kind: 'none' } : { kind: 'add', services: added };
}

/**
 * Applies planDnsUpdate to a running cluster unbound; returns what it did. liveZones carries the
 * local zones of Services added live between reloads: a reload drops them, since the zone files
 * then hold those Services (or no longer do, when they were deleted).
 */
export async function updateClusterUnbound(
  prev: ClusterState,
  next: ClusterState,
  o: { zoneDir: string; controlConf: string; netns?: string; serial?: number; liveZones?: Set<string> },
): Promise<DnsUpdate> {
  const plan = planDnsUpdate(prev, next);
  if (plan.kind === 'add') {
    const { zones } = await unboundAddServices(plan.services, next.clusterDomain, o.controlConf, o.netns);
    for (const z of zones) o.liveZones?.add(z);
  }
  if (plan.kind === 'reload') {
    await reloadClusterZones(next, o.zoneDir, o.controlConf, o.netns, o.serial);
    if (o.liveZones) {
      await unboundRemoveLocalZones([...o.liveZones], o.controlConf, o.netns);
      o.liveZones.clear();
    }
  }
  return plan;
}
