import { isProxied, serviceKey, usableEndpoints, type ClusterState, type Service } from '../model/cluster.js';

/**
 * kube-proxy's unit of work is the service port (ServicePortName), not the Service: each port
 * gets its own chains. This flattens a ClusterState into those units once, so every renderer
 * walks the same list in the same (input) order.
 */
export interface EndpointAddr {
  ip: string;
  port: number;
  /** "ip:port", as kube-proxy's endpoint String() and comments write it */
  hostPort: string;
}

export interface ServicePortInfo {
  /** "ns/name": the key kube-proxy tracks changes by */
  svcKey: string;
  namespace: string;
  name: string;
  portName: string;
  /** "ns/name:port" (or "ns/name") */
  nameString: string;
  /** lower case: tcp / udp */
  protocol: string;
  clusterIP: string;
  port: number;
  /** index of this port in the Service's ports */
  portIndex: number;
  /** the endpoints kube-proxy uses (ready ones, else serving-terminating), in input order */
  endpoints: EndpointAddr[];
}

export function servicePorts(s: Service): ServicePortInfo[] {
  if (!isProxied(s)) return [];
  const svcKey = serviceKey(s);
  const ready = usableEndpoints(s);
  return s.ports.map((p, portIndex) => ({
    svcKey,
    namespace: s.namespace,
    name: s.name,
    portName: p.name,
    nameString: p.name ? `${svcKey}:${p.name}` : svcKey,
    protocol: p.protocol.toLowerCase(),
    clusterIP: s.clusterIP,
    port: p.port,
    portIndex,
    endpoints: ready.map((e) => ({ ip: e.ip, port: p.targetPort, hostPort: `${e.ip}:${p.targetPort}` })),
  }));
}

export function allServicePorts(state: ClusterState): ServicePortInfo[] {
  const out: ServicePortInfo[] = [];
  for (const s of state.services) for (const sp of servicePorts(s)) out.push(sp);
  return out;
}

/**
 * What a Service contributes to the data plane, as one comparable string: a partial sync
 * rewrites a Service's chains exactly when this changes (kube-proxy's UpdatedServices).
 */
export function serviceFingerprint(s: Service): string {
  if (!isProxied(s)) return '';
  // the content itself (a few dozen bytes per Service) is cheaper to build and compare than a hash
  let fp = s.clusterIP;
  for (const p of s.ports) fp += `|${p.name},${p.protocol},${p.port},${p.targetPort}`;
  fp += '#';
  for (const e of usableEndpoints(s)) fp += `${e.ip},`;
  return fp;
}

/** svcKey -> fingerprint for every proxied Service of the state. */
export function fingerprints(state: ClusterState): Map<string, string> {
  const m = new Map<string, string>();
  for (const s of state.services) if (isProxied(s)) m.set(serviceKey(s), serviceFingerprint(s));
  return m;
}

/** Services added or changed in `next` relative to `prev`, and those gone from it. */
export function diffServices(prev: Map<string, string>, next: Map<string, string>): { changed: Set<string>; removed: Set<string> } {
  const changed = new Set<string>();
  const removed = new Set<string>();
  for (const [k, v] of next) if (prev.get(k) !== v) changed.add(k);
  for (const k of prev.keys()) if (!next.has(k)) removed.add(k);
  return { changed, removed };
}
