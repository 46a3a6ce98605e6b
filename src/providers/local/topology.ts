import { MeasurementError } from '../../core/errors.js';
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

/**
 * One more DNS pod while the run goes on (a new CoreDNS pod of a rollout): its namespace, veth
 * and routes as buildTopology makes them, at a new address. Returns the pod; topo.dns keeps it.
 */
/** dnsPodIP(k) for k < 20 stays below the upstream stand-in's address */
export const MAX_DNS_PODS = 20;

export async function addDnsPod(runId: string, topo: Topology, index: number): Promise<Pod> {
  if (index >= MAX_DNS_PODS) throw new MeasurementError(`no address left for DNS pod ${index}: the local topology has room for ${MAX_DNS_PODS} DNS pods over a run`, 'replace fewer DNS instances or run fewer dnsReplicas');
  const pod: Pod = { role: 'dns', index, ip: dnsPodIP(index), netns: netnsName(runId, `dns-${index}`), hostIf: `vd${index}-${runId.slice(0, 6)}`.slice(0, 15) };
  await ipBatch([`netns add ${pod.netns}`]);
  await ipBatch([`link add ${pod.hostIf} netns ${topo.node} type veth peer name eth0 netns ${pod.netns}`]);
  // a blackhole left by an earlier pod at this address goes first
  await run('ip', ['-n', topo.node, 'route', 'del', 'blackhole', `${pod.ip}/32`], { reject: false });
  await ipBatch([`link set ${pod.hostIf} up`, `route add ${pod.ip}/32 dev ${pod.hostIf} src ${NODE_GATEWAY}`], topo.node);
  await ipBatch(['link set lo up', `addr add ${pod.ip}/32 dev eth0`, 'link set eth0 up', `route add ${NODE_GATEWAY}/32 dev eth0`, `route add default via ${NODE_GATEWAY} dev eth0 src ${pod.ip}`], pod.netns);
  topo.dns.push(pod);
  topo.pods.push(pod);
  return pod;
}

/**
 * A deleted DNS pod: its namespace (and so its veth and /32 route) goes away. Its address then
 * leads nowhere: a blackhole route drops what still goes there, as a bridge drops frames for a
 * pod whose ARP entry no longer answers, so a client still pinned to it sees timeouts rather
 * than an immediate "unreachable" our routing would otherwise produce.
 */
export async function removeDnsPod(topo: Topology, pod: Pod): Promise<void> {
  // the node's Service CIDR route may go out through this pod's veth (buildTopology's first pod): move it to a pod that stays
  const keep = topo.clients[0] ?? topo.pods.find((p) => p !== pod);
  if (keep) await run('ip', ['-n', topo.node, 'route', 'replace', SERVICE_CIDR, 'dev', keep.hostIf, 'src', NODE_GATEWAY]);
  await deleteNetns(pod.netns);
  await run('ip', ['-n', topo.node, 'route', 'replace', 'blackhole', `${pod.ip}/32`], { reject: false });
  topo.dns.splice(topo.dns.indexOf(pod), 1);
  topo.pods.splice(topo.pods.indexOf(pod), 1);
}

export async function destroyTopology(topo: Topology): Promise<void> {
  for (const pod of topo.pods) await deleteNetns(pod.netns);
  await deleteNetns(topo.node);
}

export { BACKEND_PORT };
