import type { ClusterConfig } from '../../scenario/schema.js';
import type { CommandRunner } from '../kube/command.js';

/**
 * Counts what the proxy programmed, inside a kind node (a container: `docker exec` works, and the
 * node image ships nft and iptables). kube-proxy's metrics count iptables rules itself; for the
 * other modes this reads the data plane directly.
 */
export async function countRulesInNode(runner: CommandRunner, node: string, proxy: ClusterConfig['proxy'], context: string): Promise<number | undefined> {
  if (proxy === 'nftables') {
    const out = await runner.run('docker', ['exec', node, 'nft', 'list', 'map', 'ip', 'kube-proxy', 'service-ips']);
    return (out.stdout.match(/ : goto /g) ?? []).length;
  }
  if (proxy === 'ipvs') {
    const out = await runner.run('docker', ['exec', node, 'ipvsadm', '-Ln'], { reject: false });
    if (out.exitCode === 0) return out.stdout.split('\n').filter((l) => /^(TCP|UDP|SCTP)\s/.test(l)).length;
    return undefined;
  }
  if (proxy === 'cilium') {
    const out = await runner.run('kubectl', ['--context', context, '-n', 'kube-system', 'exec', 'ds/cilium', '-c', 'cilium-agent', '--', 'cilium-dbg', 'service', 'list', '-o', 'json']);
    const list = JSON.parse(out.stdout) as unknown[];
    return Array.isArray(list) ? list.length : undefined;
  }
  const out = await runner.run('docker', ['exec', node, 'iptables-save']);
  return out.stdout.split('\n').filter((l) => l.startsWith('-A ')).length;
}
