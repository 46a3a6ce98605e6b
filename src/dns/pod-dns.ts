/**
 * A pod's DNS configuration, typed: what Kubernetes takes as `dnsPolicy: None` plus `dnsConfig`
 * and kubelet writes into the pod's /etc/resolv.conf. A workload sets it on its AgentRequest;
 * the local provider writes it as the client namespace's resolv.conf, the kube providers as
 * the agent Job's dnsConfig. The agent then reads the pod's own /etc/resolv.conf, once.
 */
export interface PodDnsConfig {
  nameserver: string;
  search: string[];
  ndots: number;
  /** further resolv.conf options (timeout, attempts, single-request...): kubelet's dnsConfig.options */
  options: PodDnsOption[];
}

export interface PodDnsOption {
  name: string;
  value?: string;
}

/** What kubelet gives a ClusterFirst pod in namespace `namespace`: the cluster's nameserver, its namespace first in the search list, ndots 5. */
export function clusterFirstDns(nameserver: string, namespace: string, zone: string): PodDnsConfig {
  return { nameserver, search: [`${namespace}.svc.${zone}`, `svc.${zone}`, zone], ndots: 5, options: [] };
}

/** The resolv.conf kubelet writes for it: ndots first, then the options in order. */
export function renderPodResolvConf(dns: PodDnsConfig): string {
  const options = [`ndots:${dns.ndots}`, ...dns.options.map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`))];
  return [`nameserver ${dns.nameserver}`, ...(dns.search.length > 0 ? [`search ${dns.search.join(' ')}`] : []), `options ${options.join(' ')}`].join('\n') + '\n';
}
