import { CLUSTER_DOMAIN } from '../../model/addressing.js';
import { EXTERNAL_ZONE } from '../../model/generate.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import { fillTemplate, readInfra } from '../kube/infra.js';

/** Fixed ClusterIP of the upstream stand-in, in 10.96.0.x next to kube-dns (never a generated Service's). */
export const UPSTREAM_IP = '10.96.0.53';
/** What the stand-in answers for every external name: TEST-NET-1, routes nowhere. */
export const EXTERNAL_ANSWER_IP = '192.0.2.10';

/**
 * The stand-in's answer block. With an added delay it uses CoreDNS's erratic plugin (the only
 * stock way to delay answers), which answers A and AAAA itself; without, template answers A and
 * gives NODATA for AAAA, as a typical IPv4-only API host would.
 */
function upstreamAnswer(delayMs: number): string {
  const pad = (s: string) => s.split('\n').map((l) => `        ${l}`).join('\n');
  if (delayMs > 0) return pad(`erratic {\n    delay 1 ${Math.round(delayMs)}ms\n}`);
  return pad(`template IN A ${EXTERNAL_ZONE} {\n    answer "{{ .Name }} 60 IN A ${EXTERNAL_ANSWER_IP}"\n}\ntemplate IN AAAA ${EXTERNAL_ZONE} {\n    rcode NOERROR\n}`);
}

export function renderUpstream(namespace: string, runId: string, cluster: Pick<ClusterConfig, 'upstreamDelay'>): string {
  return fillTemplate(readInfra('manifests', 'upstream.yaml.tmpl'), {
    __DISCO_NAMESPACE__: namespace,
    __DISCO_RUN_ID__: runId,
    __DISCO_EXTERNAL_ZONE__: EXTERNAL_ZONE,
    __DISCO_ANSWER__: upstreamAnswer(cluster.upstreamDelay),
    __DISCO_UPSTREAM_IP__: UPSTREAM_IP,
  });
}

/** CoreDNS's Corefile with external names forwarded to the stand-in (kind: its ClusterIP). */
export function renderCoreDNSConfig(upstreamIP = UPSTREAM_IP): string {
  return fillTemplate(readInfra('manifests', 'coredns-corefile.yaml.tmpl'), {
    __DISCO_CLUSTER_DOMAIN__: CLUSTER_DOMAIN,
    __DISCO_UPSTREAM_IP__: upstreamIP,
  });
}

/**
 * Backend pods: enough that a Service's endpoints are distinct pods (kube-proxy programs one
 * rule set per distinct endpoint), at least cluster.backends, at most 64 (kind's nodes are
 * containers on one machine; the endpoint count per Service, not pods, drives rule counts).
 */
export function backendReplicas(cluster: Pick<ClusterConfig, 'backends'>, endpointsPerService: number): number {
  return Math.min(64, Math.max(cluster.backends, endpointsPerService));
}

export function renderBackend(namespace: string, runId: string, replicas: number): string {
  return fillTemplate(readInfra('manifests', 'backend.yaml.tmpl'), {
    __DISCO_NAMESPACE__: namespace,
    __DISCO_RUN_ID__: runId,
    __DISCO_BACKEND_REPLICAS__: String(replicas),
  });
}
