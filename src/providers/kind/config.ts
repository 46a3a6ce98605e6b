import { stringify } from 'yaml';
import { NODE_LOCAL_DNS_IP, POD_CIDR } from '../../model/addressing.js';
import type { ClusterConfig } from '../../scenario/schema.js';

/** kind's own service subnet; kube-dns is its 10th address, 10.96.0.10, as in the model. */
export const KIND_SERVICE_SUBNET = '10.96.0.0/16';
export const KUBE_PROXY_METRICS_PORT = 10249;

/** kind's networking.kubeProxyMode for a scenario's proxy: Cilium replaces kube-proxy ("none"). */
export function kubeProxyMode(proxy: ClusterConfig['proxy']): 'iptables' | 'ipvs' | 'nftables' | 'none' {
  return proxy === 'cilium' ? 'none' : proxy;
}

/**
 * NodeLocal DNSCache in IPVS mode cannot share kube-dns's address (kube-ipvs0 holds it), so pods
 * must be pointed at the link-local address by kubelet's clusterDNS; in iptables/nftables mode it
 * binds both, and with Cilium a local redirect policy steers kube-dns traffic to it.
 */
export function kubeletClusterDNS(cluster: Pick<ClusterConfig, 'proxy' | 'nodeLocalDNS'>): string | undefined {
  return cluster.nodeLocalDNS && cluster.proxy === 'ipvs' ? NODE_LOCAL_DNS_IP : undefined;
}

/**
 * The kind Cluster config for a scenario. `nodes` counts all nodes: 1 is a single control-plane
 * node that also runs the pods (kind's default), N is one control plane plus N-1 workers.
 */
export function kindConfig(cluster: ClusterConfig): Record<string, unknown> {
  const networking: Record<string, unknown> = {
    kubeProxyMode: kubeProxyMode(cluster.proxy),
    podSubnet: POD_CIDR,
    serviceSubnet: KIND_SERVICE_SUBNET,
  };
  if (cluster.proxy === 'cilium') networking.disableDefaultCNI = true;
  const patches: string[] = [];
  if (cluster.proxy !== 'cilium') {
    // kind leaves kube-proxy's metrics on 127.0.0.1; the API server proxy needs the pod address.
    patches.push(stringify({ kind: 'KubeProxyConfiguration', metricsBindAddress: `0.0.0.0:${KUBE_PROXY_METRICS_PORT}` }));
  }
  const clusterDNS = kubeletClusterDNS(cluster);
  if (clusterDNS) patches.push(stringify({ kind: 'KubeletConfiguration', clusterDNS: [clusterDNS] }));
  const nodes = [{ role: 'control-plane' }, ...Array.from({ length: cluster.nodes - 1 }, () => ({ role: 'worker' }))];
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    networking,
    nodes,
    ...(patches.length ? { kubeadmConfigPatches: patches } : {}),
  };
}

export function renderKindConfig(cluster: ClusterConfig): string {
  return stringify(kindConfig(cluster), { lineWidth: 0 });
}

/** kindest/node image for --image, when the scenario pins a Kubernetes version. */
export function nodeImage(cluster: Pick<ClusterConfig, 'kubernetesVersion'>): string | undefined {
  const v = cluster.kubernetesVersion;
  return v ? `kindest/node:${v.startsWith('v') ? v : `v${v}`}` : undefined;
}
