import { EXTERNAL_ZONE } from '../../model/generate.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import { serveUpstreamArgs } from '../../dns/server/upstream-process.js';
import { fillTemplate, readInfra } from './infra.js';

/** Fixed ClusterIP of the upstream stand-in, in 10.96.0.x next to kube-dns (never a generated Service's). */
export const UPSTREAM_IP = '10.96.0.53';
/** Port the stand-in listens on in its pod (unprivileged: the agent image runs as user node). */
export const UPSTREAM_POD_PORT = 5353;

/** The upstream stand-in: `discobench serve-upstream` from the agent image, as on the local provider. */
export function renderUpstream(namespace: string, runId: string, cluster: Pick<ClusterConfig, 'upstreamDelay'>, image: string): string {
  const args = serveUpstreamArgs({ listen: `0.0.0.0:${UPSTREAM_POD_PORT}`, zone: EXTERNAL_ZONE, delayMs: cluster.upstreamDelay });
  return fillTemplate(readInfra('manifests', 'upstream.yaml.tmpl'), {
    __DISCO_NAMESPACE__: namespace,
    __DISCO_RUN_ID__: runId,
    __DISCO_AGENT_IMAGE__: image,
    __DISCO_UPSTREAM_ARGS__: JSON.stringify(args),
    __DISCO_UPSTREAM_PORT__: String(UPSTREAM_POD_PORT),
    __DISCO_UPSTREAM_IP__: UPSTREAM_IP,
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
