import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ClusterConfig } from '../../scenario/schema.js';
import { INFRA_DIR } from '../kube/infra.js';

/** Chart version pinned so runs stay comparable across nights; bump deliberately. */
export const CILIUM_VERSION = '1.18.0';
export const CILIUM_REPO = 'https://helm.cilium.io/';
export const CILIUM_VALUES = join(INFRA_DIR, 'cilium', 'values.yaml');

/**
 * The chart values for a run: infra/cilium/values.yaml plus what depends on the run: the API
 * server as the agents reach it before any Service works (the control-plane node's name on
 * kind's docker network), and the local redirect policy NodeLocal DNSCache needs when Cilium
 * replaces kube-proxy. That key changed name across chart versions (localRedirectPolicy, then
 * localRedirectPolicies.enabled); both are set, a chart ignores the one it doesn't know.
 */
export function ciliumValues(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>): Record<string, unknown> {
  const base = parse(readFileSync(CILIUM_VALUES, 'utf8')) as Record<string, unknown>;
  return {
    ...base,
    k8sServiceHost: `${clusterName}-control-plane`,
    ...(cluster.nodeLocalDNS ? { localRedirectPolicy: true, localRedirectPolicies: { enabled: true } } : {}),
  };
}

export function renderCiliumValues(clusterName: string, cluster: Pick<ClusterConfig, 'nodeLocalDNS'>): string {
  return stringify(ciliumValues(clusterName, cluster), { lineWidth: 0 });
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
