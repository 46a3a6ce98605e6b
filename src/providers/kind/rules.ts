import type { ClusterConfig } from '../../scenario/schema.js';
import type { CommandRunner } from '../kube/command.js';

/**
 * What kind's node image (images/base/Dockerfile) installs that is of use here: conntrack,
 * iptables, nftables, iproute2, procps, curl, jq, coreutils, plus crictl. Not ipvsadm, not ipset.
 * Every `docker exec` into a node must use one of these (test/providers/kind/rules.test.ts checks it).
 */
export const KIND_NODE_TOOLS = ['cat', 'nft', 'iptables-save', 'iptables', 'conntrack', 'ip', 'crictl', 'curl', 'jq', 'ps'] as const;

/**
 * IPVS virtual servers in /proc/net/ip_vs (ip_vs_ctl.c's ip_vs_info_seq_show): after two header
 * lines, one line per virtual server ("TCP  0A600001:01BB rr", "FWM  00000001 rr") followed by
 * its "  -> " real servers. Returns undefined when the text is not that table.
 */
export function countIpvsVirtualServers(text: string): number | undefined {
  if (!/^IP Virtual Server version/m.test(text)) return undefined;
  return text.split('\n').filter((l) => /^(TCP|UDP|SCTP|FWM)\s/.test(l)).length;
}

/**
 * Counts what the proxy programmed, inside a kind node (a container: `docker exec` works).
 * kube-proxy's metrics count iptables rules itself; for the other modes this reads the data
 * plane directly, with tools the node image has.
 */
export async function countRulesInNode(runner: CommandRunner, node: string, proxy: ClusterConfig['proxy'], context: string): Promise<number | undefined> {
  if (proxy === 'nftables') {
    const out = await runner.run('docker', ['exec', node, 'nft', 'list', 'map', 'ip', 'kube-proxy', 'service-ips']);
    return (out.stdout.match(/ : goto /g) ?? []).length;
  }
  if (proxy === 'ipvs') {
    // the node image has no ipvsadm; the kernel's own table is readable in the node's netns
    const out = await runner.run('docker', ['exec', node, 'cat', '/proc/net/ip_vs']);
    return countIpvsVirtualServers(out.stdout);
  }
  if (proxy === 'cilium') {
    const out = await runner.run('kubectl', ['--context', context, '-n', 'kube-system', 'exec', 'ds/cilium', '-c', 'cilium-agent', '--', 'cilium-dbg', 'service', 'list', '-o', 'json']);
    const list = JSON.parse(out.stdout) as unknown[];
    return Array.isArray(list) ? list.length : undefined;
  }
  const out = await runner.run('docker', ['exec', node, 'iptables-save']);
  return out.stdout.split('\n').filter((l) => l.startsWith('-A ')).length;
}
