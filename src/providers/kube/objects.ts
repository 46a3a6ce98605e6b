import type { KubernetesObject } from '@kubernetes/client-node';
import { ENDPOINT_POOL_BASE, ipToInt } from '../../model/addressing.js';
import { isHeadless, type Service } from '../../model/cluster.js';
import { runLabels } from './labels.js';

/**
 * ClusterState -> Kubernetes objects. Services are selector-less with EndpointSlices written by
 * us: that is the only way to reach thousands of Services with a handful of pods while every
 * endpoint is a real, answering backend pod (so kube-proxy programs the same number of rules the
 * scenario asks for, and traffic through a ClusterIP lands on a real server).
 */
/**
 * endpointslice.kubernetes.io/managed-by of our slices, so the EndpointSlice controller leaves
 * them alone. A label value: no "/" (the apiserver rejects "discobench.io/manual"), in the style
 * of the controllers' own "endpointslice-controller.k8s.io".
 */
export const SLICE_MANAGER = 'discobench.io';

export interface ObjectContext {
  runId: string;
  /** namespace a Service of the model lands in (kind: its own; existing: the run's one) */
  namespaceOf(svc: Service): string;
  /** the real backend pod IPs the model's endpoint addresses are mapped onto */
  backendIPs: readonly string[];
  /**
   * where a model endpoint address really answers; default: onto a backend pod (backendFor).
   * The local provider's backends answer on the model's addresses themselves.
   */
  endpointAddress?(modelIP: string): string;
}

/** Model endpoint address -> a backend pod IP, stable and spread: index in the pool mod pods. */
export function backendFor(ip: string, backendIPs: readonly string[]): string {
  if (backendIPs.length === 0) throw new Error('no backend pods to point endpoints at');
  const k = Math.max(0, ipToInt(ip) - ipToInt(ENDPOINT_POOL_BASE));
  return backendIPs[k % backendIPs.length]!;
}

export function namespaceObject(name: string, runId: string): KubernetesObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: runLabels(runId) } };
}

export function serviceObject(s: Service, ctx: ObjectContext): KubernetesObject & { spec: Record<string, unknown> } {
  const metadata = { name: s.name, namespace: ctx.namespaceOf(s), labels: runLabels(ctx.runId) };
  if (s.type === 'ExternalName') {
    return { apiVersion: 'v1', kind: 'Service', metadata, spec: { type: 'ExternalName', externalName: s.externalName } };
  }
  const spec: Record<string, unknown> = {
    type: 'ClusterIP',
    clusterIP: s.clusterIP,
    ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol, port: p.port, targetPort: p.targetPort })),
  };
  if (isHeadless(s)) spec.publishNotReadyAddresses = false;
  return { apiVersion: 'v1', kind: 'Service', metadata, spec };
}

/** One slice per Service (the model keeps endpointsPerService <= 1000, a slice's limit). */
export function endpointSliceObject(s: Service, ctx: ObjectContext): KubernetesObject | undefined {
  if (s.type === 'ExternalName') return undefined;
  const seen = new Set<string>();
  const endpoints: Array<Record<string, unknown>> = [];
  for (const e of s.endpoints) {
    const ip = ctx.endpointAddress ? ctx.endpointAddress(e.ip) : backendFor(e.ip, ctx.backendIPs);
    // Two model endpoints on one pod would be one endpoint to kube-proxy anyway; keep it explicit.
    if (seen.has(ip) && !e.hostname) continue;
    seen.add(ip);
    endpoints.push({ addresses: [ip], conditions: e.terminating ? { ready: false, serving: e.serving ?? false, terminating: true } : { ready: e.ready }, ...(e.hostname ? { hostname: e.hostname } : {}) });
  }
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `${s.name}-disco`,
      namespace: ctx.namespaceOf(s),
      labels: { ...runLabels(ctx.runId), 'kubernetes.io/service-name': s.name, 'endpointslice.kubernetes.io/managed-by': SLICE_MANAGER },
    },
    addressType: 'IPv4',
    endpoints,
    ports: s.ports.map((p) => ({ ...(p.name ? { name: p.name } : {}), protocol: p.protocol, port: p.targetPort })),
  } as KubernetesObject;
}

/** Services of the model that already exist in every cluster and must not be touched. */
export function isClusterOwned(s: Service): boolean {
  return s.namespace === 'kube-system';
}
