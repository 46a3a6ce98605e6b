import { stringify } from 'yaml';

/** The line kubeadm's Corefile forwards non-cluster names with: to the node's resolver. */
const NODE_RESOLVER_FORWARD = /^(\s*forward\s+\.\s+)\/etc\/resolv\.conf(\s*(\{\s*)?)$/;

/**
 * The cluster's own Corefile with exactly one change: names outside the cluster go to the
 * in-cluster upstream stand-in instead of /etc/resolv.conf (the node's, i.e. the host's,
 * resolver). Everything else stays as the cluster's Kubernetes version wrote it, e.g. kubeadm
 * 1.32+'s `cache 30 { disable success cluster.local; disable denial cluster.local }`, so CoreDNS
 * costs what it costs on a stock cluster. A Corefile without that one forward line is not one
 * we understand: refuse rather than guess.
 */
export function forwardToUpstream(corefile: string, upstreamIP: string): string {
  const lines = corefile.split('\n');
  const hits = lines.map((l, i) => (NODE_RESOLVER_FORWARD.test(l) ? i : -1)).filter((i) => i >= 0);
  if (hits.length !== 1) {
    throw new Error(`CoreDNS Corefile: expected one "forward . /etc/resolv.conf" line, found ${hits.length}; the cluster's Corefile is not kubeadm's, not changing it`);
  }
  const i = hits[0]!;
  lines[i] = lines[i]!.replace(NODE_RESOLVER_FORWARD, `$1${upstreamIP}$2`);
  return lines.join('\n');
}

/**
 * From `kubectl get configmap coredns -o json` to the object to apply: only the Corefile key, so
 * server-side apply takes over that one field and leaves the rest of the ConfigMap alone.
 */
export function corednsConfigMapForUpstream(configMapJson: string, upstreamIP: string): string {
  let cm: { metadata?: { name?: string; namespace?: string }; data?: Record<string, string> };
  try {
    cm = JSON.parse(configMapJson);
  } catch {
    throw new Error('CoreDNS ConfigMap: kubectl did not return JSON');
  }
  const corefile = cm.data?.Corefile;
  if (!corefile) throw new Error('CoreDNS ConfigMap kube-system/coredns has no Corefile');
  return stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: forwardToUpstream(corefile, upstreamIP) } }, { lineWidth: 0 });
}
