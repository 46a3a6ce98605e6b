import { join } from 'node:path';
import type { ClusterConfig } from '../../scenario/schema.js';
import { INFRA_DIR } from '../kube/infra.js';

/** Chart version pinned so runs stay comparable across nights; bump deliberately. */
export const CILIUM_VERSION = '1.18.0';
export const CILIUM_REPO = 'https://helm.cilium.io/';
export const CILIUM_VALUES = join(INFRA_DIR, 'cilium', 'values.yaml');
/** cilium-agent's Prometheus port (prometheus.enabled=true) */
export const CILIUM_METRICS_PORT = 9962;

/**
 * Values that depend on the run: the API server as the agents reach it before any Service works
 * (the control-plane node's name on kind's docker network), and the local redirect policy
 * NodeLocal DNSCache needs when Cilium replaces kube-proxy. The key changed name across chart
 * versions (localRedirectPolicy, then localRedirectPolicies.enabled); helm ignores the other.
 */
export function ciliumSetValues(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>): string[] {
  const sets = [`k8sServiceHost=${clusterName}-control-plane`];
  if (cluster.nodeLocalDNS) sets.push('localRedirectPolicy=true', 'localRedirectPolicies.enabled=true');
  return sets;
}

export function helmInstallArgs(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>): string[] {
  return [
    'upgrade', '--install', 'cilium', 'cilium',
    '--repo', CILIUM_REPO, '--version', CILIUM_VERSION,
    '--namespace', 'kube-system',
    '--kube-context', `kind-${clusterName}`,
    '--values', CILIUM_VALUES,
    ...ciliumSetValues(clusterName, cluster).flatMap((s) => ['--set', s]),
    '--wait', '--timeout', '10m',
  ];
}
