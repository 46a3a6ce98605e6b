import type { Target } from '../load/targets.js';
import { isProxied, type ClusterState, type Service } from '../model/cluster.js';

/**
 * Services a probe can connect to: a ClusterIP, a TCP port and a ready endpoint. System
 * Services (kube-system: kube-dns) are left out: their backends are DNS servers, not the
 * benchmark's HTTP backends, and they sit first in the list anyway.
 */
export function probeableServices(state: ClusterState): Service[] {
  return state.services.filter(
    (s) => isProxied(s) && s.namespace !== 'kube-system' && s.ports.some((p) => p.protocol === 'TCP') && s.endpoints.some((e) => e.ready),
  );
}

/**
 * n indexes spread evenly over 0..total-1, always including the first and the LAST: the last
 * Services are the worst case for iptables, whose KUBE-SERVICES chain is walked linearly in
 * Service order, so a spread that stopped short would hide exactly the cost being measured.
 */
export function spreadIndexes(total: number, n: number): number[] {
  if (total <= 0 || n <= 0) return [];
  if (n >= total) return Array.from({ length: total }, (_, i) => i);
  if (n === 1) return [total - 1];
  const out = new Set<number>();
  for (let k = 0; k < n; k++) out.add(Math.round((k * (total - 1)) / (n - 1)));
  return [...out];
}

/** ClusterIP:port of a Service's first TCP port: what a client connects to. */
export function serviceTarget(s: Service): Target {
  const port = s.ports.find((p) => p.protocol === 'TCP');
  if (!port) throw new Error(`Service ${s.namespace}/${s.name} has no TCP port`);
  return { host: s.clusterIP, port: port.port };
}

/** `n` connect targets spread across the Service list (including its end). */
export function pickTargets(state: ClusterState, n: number): Target[] {
  const services = probeableServices(state);
  return spreadIndexes(services.length, n).map((i) => serviceTarget(services[i]!));
}

/** Splits `total` into `parts` near-equal shares (the first ones get the remainder). */
export function splitEvenly(total: number, parts: number): number[] {
  const base = Math.floor(total / parts);
  return Array.from({ length: parts }, (_, i) => base + (i < total % parts ? 1 : 0));
}
