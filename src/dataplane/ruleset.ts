import type { ClusterState } from '../model/cluster.js';
import { renderIptables } from './iptables.js';
import { renderIpvs } from './ipvs.js';
import { renderNftables } from './nftables.js';
import type { ProxyMode } from './proxier.js';
import { allServicePorts } from './service-ports.js';

/**
 * The whole ruleset of a first, full kube-proxy sync as text a person can read and a tool can
 * take: iptables-restore input (with the jumps from the built-in chains), one nft transaction,
 * or for IPVS the kube-ipvs0 addresses, ipset, ipvsadm-restore and iptables-restore inputs.
 */
export function renderRuleset(mode: ProxyMode, state: ClusterState, opts: { clusterCIDR?: string } = {}): string {
  const ports = allServicePorts(state);
  if (mode === 'iptables') return renderIptables(ports, { clusterCIDR: opts.clusterCIDR, jumps: true }).text;
  if (mode === 'nftables') return renderNftables(ports, { clusterCIDR: opts.clusterCIDR }).text;
  const r = renderIpvs(ports, { clusterCIDR: opts.clusterCIDR });
  return [
    '# ip link add kube-ipvs0 type dummy; then for each address: ip addr add ADDRESS dev kube-ipvs0',
    ...r.addresses.map((a) => `# ${a}`),
    '# --- ipset restore',
    r.ipset.trimEnd(),
    '# --- ipvsadm-restore',
    r.ipvsadm.trimEnd(),
    '# --- iptables-restore --noflush',
    r.iptables,
  ].join('\n');
}
