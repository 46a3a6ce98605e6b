import type { KubernetesObject } from '@kubernetes/client-node';

/**
 * What Cilium's agent holds for Service load balancing, from `cilium-dbg service list -o json`
 * (the agent's REST model: spec.frontend-address {ip, port, protocol}, spec.backend-addresses,
 * status.realized when the agent reports what reached the datapath): frontend "ip:port/PROTO"
 * -> number of backends. Cilium's own event-handling metric is no measure of when the datapath
 * holds every change (and 1.18's new load balancer may not record it), so the harness waits for
 * the frontends themselves.
 */
export function ciliumFrontends(json: string): Map<string, number> {
  type Addr = { ip?: string; port?: number; protocol?: string };
  type Spec = { 'frontend-address'?: Addr; 'backend-addresses'?: Addr[] | null };
  const list = JSON.parse(json || '[]') as Array<{ spec?: Spec; status?: { realized?: Spec } }>;
  const out = new Map<string, number>();
  for (const svc of Array.isArray(list) ? list : []) {
    const spec = svc.status?.realized ?? svc.spec;
    const fe = spec?.['frontend-address'];
    if (!fe?.ip || fe.port === undefined) continue;
    const key = `${fe.ip}:${fe.port}/${String(fe.protocol ?? 'TCP').toUpperCase()}`;
    out.set(key, (out.get(key) ?? 0) + (spec?.['backend-addresses']?.length ?? 0));
  }
  return out;
}

/** The frontends a set of Service + EndpointSlice objects asks for, with their ready backends. */
export function expectedFrontends(objects: readonly KubernetesObject[]): Map<string, number> {
  const backends = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'EndpointSlice') continue;
    const svc = o.metadata?.labels?.['kubernetes.io/service-name'];
    const eps = (o as { endpoints?: Array<{ conditions?: { ready?: boolean } }> }).endpoints ?? [];
    backends.set(`${o.metadata?.namespace}/${svc}`, eps.filter((e) => e.conditions?.ready !== false).length);
  }
  const out = new Map<string, number>();
  for (const o of objects) {
    if (o.kind !== 'Service') continue;
    const spec = (o as { spec?: { type?: string; clusterIP?: string; ports?: Array<{ port: number; protocol?: string }> } }).spec;
    if (spec?.type === 'ExternalName' || !spec?.clusterIP || spec.clusterIP === 'None') continue;
    for (const p of spec.ports ?? []) out.set(`${spec.clusterIP}:${p.port}/${(p.protocol ?? 'TCP').toUpperCase()}`, backends.get(`${o.metadata?.namespace}/${o.metadata?.name}`) ?? 0);
  }
  return out;
}

/** Does one agent's table hold every wanted frontend with its backends, and none of the gone ones? */
export function ciliumHolds(table: ReadonlyMap<string, number>, want: ReadonlyMap<string, number>, gone: Iterable<string>): boolean {
  for (const [k, n] of want) if (table.get(k) !== n) return false;
  for (const k of gone) if (table.has(k)) return false;
  return true;
}
