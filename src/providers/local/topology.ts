import { run } from '../../core/exec.js';
import { NODE_LOCAL_DNS_IP, SERVICE_CIDR } from '../../model/addressing.js';
import { BACKEND_PORT, ENDPOINT_BLOCKS, ENDPOINT_SUPERNET, NODE_GATEWAY, UPSTREAM_IP, backendIP, clientIP, dnsPodIP } from './addresses.js';
import { deleteNetns, netnsName } from './netns.js';

export type PodRole = 'client' | 'dns' | 'upstream' | 'backend';

export interface Pod {
  role: PodRole;
  index: number;
  netns: string;
  ip: string;
  /** veth end in the node namespace */
  hostIf: string;
}

export interface Topology {
  node: string;
  pods: Pod[];
  clients: Pod[];
  dns: Pod[];
  upstream: Pod;
  backends: Pod[];
  nodeLocalDNS: boolean;
}

export interface TopologyPlan {
  clients: number;
  dnsReplicas: number;
  backends: number;
  nodeLocalDNS: boolean;
}

const short = { client: 'c', dns: 'd', upstream: 'u', backend: 'b' } as const;

/** Names and addresses only: nothing is created, so --dry-run can print it. */
export function planTopology(runId: string, plan: TopologyPlan): Topology {
  const pod = (role: PodRole, index: number, ip: string): Pod => ({
    role, index, ip,
    netns: netnsName(runId, role === 'upstream' ? 'upstream' : `${role}-${index}`),
    hostIf: `v${short[role]}${index}-${runId.slice(0, 6)}`.slice(0, 15),
  });
  const clients = Array.from({ length: plan.clients }, (_, k) => pod('client', k, clientIP(k)));
  const dns = Array.from({ length: plan.dnsReplicas }, (_, k) => pod('dns', k, dnsPodIP(k)));
  const upstream = pod('upstream', 0, UPSTREAM_IP);
  const backends = Array.from({ length: plan.backends }, (_, k) => pod('backend', k, backendIP(k)));
  return { node: netnsName(runId, 'node'), pods: [...clients, ...dns, upstream, ...backends], clients, dns, upstream, backends, nodeLocalDNS: plan.nodeLocalDNS };
}

/** Endpoint /22 blocks routed to backend k. */
export function blocksOf(topo: Topology, k: number): string[] {
  return ENDPOINT_BLOCKS.filter((_, b) => b % topo.backends.length === k);
}

/** Runs many `ip` commands in one process (ip -batch), inside a namespace when given. */
async function ipBatch(lines: string[], netns?: string): Promise<void> {
  if (lines.length === 0) return;
  await run('ip', [...(netns ? ['-n', netns] : []), '-batch', '-'], { input: `${lines.join('\n')}\n` });
}

/**
 * Creates the namespaces and wires each pod to the node with a veth pair created directly
 * between the two namespaces, so no interface ever exists in the root namespace.
 */
export async function buildTopology(topo: Topology, opts: { nodeLocalAddresses?: string[] } = {}): Promise<void> {
  const node = topo.node;
  await ipBatch([node, ...topo.pods.map((p) => p.netns)].map((n) => `netns add ${n}`));
  await run('sysctl', ['-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0'], { netns: node });
  await ipBatch(topo.pods.map((p) => `link add ${p.hostIf} netns ${node} type veth peer name eth0 netns ${p.netns}`));
  const nodeCmds = ['link set lo up', `addr add ${NODE_GATEWAY}/32 dev lo`];
  // NodeLocal DNSCache's addresses (node-cache puts them on a dummy interface; this kernel may
  // have no dummy driver, and lo holds them just as well for local delivery)
  if (topo.nodeLocalDNS) for (const ip of opts.nodeLocalAddresses ?? [NODE_LOCAL_DNS_IP]) nodeCmds.push(`addr add ${ip}/32 dev lo`);
  for (const pod of topo.pods) nodeCmds.push(`link set ${pod.hostIf} up`, `route add ${pod.ip}/32 dev ${pod.hostIf} src ${NODE_GATEWAY}`);
  for (const b of topo.backends) for (const block of blocksOf(topo, b.index)) nodeCmds.push(`route add ${block} dev ${b.hostIf} src ${NODE_GATEWAY}`);
  // a real node reaches ClusterIPs by its default route before OUTPUT's DNAT reroutes the packet;
  // ours has no default route (nothing leads out), so the Service CIDR gets one of its own
  const first = topo.dns[0] ?? topo.pods[0];
  if (first) nodeCmds.push(`route add ${SERVICE_CIDR} dev ${first.hostIf} src ${NODE_GATEWAY}`);
  await ipBatch(nodeCmds, node);
  for (const pod of topo.pods) {
    const cmds = ['link set lo up', `addr add ${pod.ip}/32 dev eth0`, 'link set eth0 up', `route add ${NODE_GATEWAY}/32 dev eth0`, `route add default via ${NODE_GATEWAY} dev eth0 src ${pod.ip}`];
    if (pod.role === 'backend') cmds.push(`route add local ${ENDPOINT_SUPERNET} dev lo`);
    await ipBatch(cmds, pod.netns);
  }
}

export async function destroyTopology(topo: Topology): Promise<void> {
  for (const pod of topo.pods) await deleteNetns(pod.netns);
  await deleteNetns(topo.node);
}

export { BACKEND_PORT };
