import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { ClusterDemand } from '../provider.js';
import { INFRA_DIR } from '../kube/infra.js';

/** Chart version pinned so runs stay comparable across nights; bump deliberately. */
export const CILIUM_VERSION = '1.18.0';
export const CILIUM_REPO = 'https://helm.cilium.io/';
export const CILIUM_VALUES = join(INFRA_DIR, 'cilium', 'values.yaml');

/** The chart's default bpf.lbMapMax; never go below it. */
export const LB_MAP_DEFAULT = 65536;
/** Services of the cluster's own (kubernetes, kube-dns, the stand-in, NodeLocal's...) and slack. */
const LB_MAP_HEADROOM = 1024;

/**
 * bpf.lbMapMax for a demand: Cilium's service map holds, per Service frontend (ClusterIP:port),
 * one master entry plus one slot per backend, so N Services x P ports x E endpoints need
 * N x P x (1 + E) entries; the backend and reverse-NAT maps, sized by the same value, need
 * fewer. Endpoints are distinct backend pods here (at most 64), so E is capped by that too.
 * Rounded up to a power of two, never below the chart's default.
 */
export function lbMapMax(demand: ClusterDemand | undefined, backendPods = 64): number {
  if (!demand) return LB_MAP_DEFAULT;
  const backends = Math.min(demand.endpointsPerService, backendPods);
  const entries = demand.proxiedServices * demand.portsPerService * (1 + backends) + LB_MAP_HEADROOM;
  return Math.max(LB_MAP_DEFAULT, 2 ** Math.ceil(Math.log2(entries)));
}

/**
 * The chart values for a run: infra/cilium/values.yaml plus what depends on the run: the API
 * server as the agents reach it before any Service works (the control-plane node's name on
 * kind's docker network), and the local redirect policy NodeLocal DNSCache needs when Cilium
 * replaces kube-proxy. That key changed name across chart versions (localRedirectPolicy, then
 * localRedirectPolicies.enabled); both are set, a chart ignores the one it doesn't know.
 */
export function ciliumValues(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>, demand?: ClusterDemand): Record<string, unknown> {
  const base = parse(readFileSync(CILIUM_VALUES, 'utf8')) as Record<string, unknown>;
  return {
    ...base,
    bpf: { ...(base.bpf as Record<string, unknown> | undefined), lbMapMax: lbMapMax(demand) },
    k8sServiceHost: `${clusterName}-control-plane`,
    ...(cluster.nodeLocalDNS ? { localRedirectPolicy: true, localRedirectPolicies: { enabled: true } } : {}),
  };
}

export function renderCiliumValues(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>, demand?: ClusterDemand): string {
  return stringify(ciliumValues(clusterName, cluster, demand), { lineWidth: 0 });
}

export function helmInstallArgs(clusterName: string, valuesFile: string): string[] {
  return [
    'upgrade', '--install', 'cilium', 'cilium',
    '--repo', CILIUM_REPO, '--version', CILIUM_VERSION,
    '--namespace', 'kube-system',
    '--kube-context', `kind-${clusterName}`,
    '--values', valuesFile,
    '--wait', '--timeout', '10m',
  ];
}
