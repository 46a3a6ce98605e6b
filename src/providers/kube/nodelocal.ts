import { parseAllDocuments, stringify } from 'yaml';
import { CLUSTER_DOMAIN, KUBE_DNS_IP, KUBE_DNS_UPSTREAM_IP, NODE_LOCAL_DNS_IP } from '../../model/addressing.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import { fillTemplate, readInfra } from './infra.js';

const CLUSTER_DNS_PILLAR = '__PILLAR__CLUSTER__DNS__';

/**
 * The pillar values of NodeLocal DNSCache per proxy mode (the pillars of the upstream manifest, kubernetes/kubernetes cluster/addons/dns/nodelocaldns/nodelocaldns.yaml, and its README). iptables,
 * nftables and Cilium: node-cache listens on the link-local IP and on kube-dns's ClusterIP, and
 * reaches CoreDNS via kube-dns-upstream (filled in by node-cache itself). IPVS: kube-dns's
 * address is taken by kube-ipvs0, so node-cache listens on the link-local IP only and forwards
 * to kube-dns's ClusterIP. The `.:53` zone forwards to cluster DNS, never the node's resolver.
 */
export function nodeLocalPillars(proxy: ClusterConfig['proxy']): Record<string, string> {
  const ipvs = proxy === 'ipvs';
  return {
    __PILLAR__LOCAL__DNS__: NODE_LOCAL_DNS_IP,
    __PILLAR__DNS__DOMAIN__: CLUSTER_DOMAIN,
    // IPVS: ",__PILLAR__DNS__SERVER__" and " __PILLAR__DNS__SERVER__" vanish with their separator
    ',__PILLAR__DNS__SERVER__': ipvs ? '' : `,${KUBE_DNS_IP}`,
    ' __PILLAR__DNS__SERVER__': ipvs ? '' : ` ${KUBE_DNS_IP}`,
    __PILLAR__UPSTREAM__SERVERS__: ipvs ? KUBE_DNS_IP : CLUSTER_DNS_PILLAR,
    __DISCO_KUBE_DNS_UPSTREAM_IP__: KUBE_DNS_UPSTREAM_IP,
    ...(ipvs ? { [CLUSTER_DNS_PILLAR]: KUBE_DNS_IP } : {}),
  };
}

/** The Cilium local redirect policy that sends kube-dns traffic to the node's own cache pod. */
export const NODE_LOCAL_REDIRECT_POLICY = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumLocalRedirectPolicy',
  metadata: { name: 'nodelocaldns', namespace: 'kube-system' },
  spec: {
    redirectFrontend: { serviceMatcher: { serviceName: 'kube-dns', namespace: 'kube-system' } },
    redirectBackend: {
      localEndpointSelector: { matchLabels: { 'k8s-app': 'node-local-dns' } },
      toPorts: [
        { port: '53', name: 'dns', protocol: 'UDP' },
        { port: '53', name: 'dns-tcp', protocol: 'TCP' },
      ],
    },
  },
};

/**
 * With Cilium's kube-proxy replacement there are no iptables rules for node-cache to install:
 * it runs as an ordinary pod bound to 0.0.0.0, and the redirect policy brings traffic to it.
 */
function adaptForCilium(docs: Array<Record<string, any>>): Array<Record<string, any>> {
  for (const d of docs) {
    if (d.kind === 'ConfigMap' && d.metadata?.name === 'node-local-dns') {
      d.data.Corefile = String(d.data.Corefile)
        .replace(/bind [^\n]+/g, 'bind 0.0.0.0')
        .replace(/health [^\n]+/g, 'health :8080');
    }
    if (d.kind === 'DaemonSet') {
      const spec = d.spec.template.spec;
      spec.hostNetwork = false;
      const c = spec.containers[0];
      c.args = [...c.args, '-skipteardown=true', '-setupinterface=false', '-setupiptables=false'];
      delete c.livenessProbe.httpGet.host;
    }
  }
  return [...docs, structuredClone(NODE_LOCAL_REDIRECT_POLICY)];
}

/** The NodeLocal DNSCache manifest for a proxy mode, as multi-document YAML. */
export function renderNodeLocalDNS(proxy: ClusterConfig['proxy']): string {
  // the template's header comment explains the pillars; filled in, it would only mislead
  const template = readInfra('nodelocaldns', 'nodelocaldns.yaml.tmpl').replace(/^(#[^\n]*\n)+/, '');
  const filled = fillTemplate(template, nodeLocalPillars(proxy), [CLUSTER_DNS_PILLAR]);
  if (proxy !== 'cilium') return filled;
  const docs = parseAllDocuments(filled).map((d) => d.toJS() as Record<string, any>).filter(Boolean);
  return adaptForCilium(docs).map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
