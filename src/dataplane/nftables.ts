import { nftServiceChain } from './chain-names.js';
import type { ServicePortInfo } from './service-ports.js';
import { SERVICE_CIDR } from '../model/addressing.js';

/**
 * kube-proxy 1.36's nftables layout (pkg/proxy/nftables/proxier.go) as one `nft -f -`
 * transaction, in the text knftables writes. Dispatch is one verdict-map lookup
 * (`@service-ips`); each service port's chain DNATs straight to an endpoint with
 * `numgen random mod N map { i : ip . port }` (per-endpoint chains exist only for session
 * affinity, which the model has no Services with). Masquerading is decided once, in the
 * `services` chain, for traffic to any `@cluster-ips` from outside the pod CIDR. A full sync
 * re-creates the base chains and rewrites every service chain; a partial sync (kube-proxy
 * #126013) writes only the chains of changed Services. In both, the sets and maps change only
 * by the elements that differ from what is known to be in the kernel, as kube-proxy's
 * nftElementStorage does.
 */

export const NFT_TABLE = 'ip kube-proxy';
const T = NFT_TABLE;
const MASQ_MARK = '0x4000';
/** kube-proxy's masqueradeRule */
const MARK_MASQ = `mark set mark or ${MASQ_MARK}`;

/** nftablesBaseChains: name, type, hook, priority (dstnat = -100, filter = 0, srcnat = 100) */
const BASE_CHAINS: ReadonlyArray<readonly [string, string, string, number]> = [
  ['filter-prerouting-pre-dnat', 'filter', 'prerouting', -110],
  ['filter-output-pre-dnat', 'filter', 'output', -110],
  ['filter-input', 'filter', 'input', 0],
  ['filter-forward', 'filter', 'forward', 0],
  ['filter-output', 'filter', 'output', 0],
  ['nat-prerouting', 'nat', 'prerouting', -100],
  ['nat-output', 'nat', 'output', -100],
  ['nat-postrouting', 'nat', 'postrouting', 100],
];

/** nftablesJumpChains: destination, source base chain, extra match */
const JUMP_CHAINS: ReadonlyArray<readonly [string, string, string]> = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-forward', 'ct state new'],
  ['service-endpoints-check', 'filter-output', 'ct state new'],
  ['firewall-check', 'filter-prerouting-pre-dnat', 'ct state new'],
  ['firewall-check', 'filter-output-pre-dnat', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output', 'ct state new'],
];

/**
 * The contents of kube-proxy's element containers (nftElementStorage): key -> value. The
 * hairpin-connections set holds only node-local endpoints, and the model's endpoints are never
 * on the node, so it stays empty and is not tracked.
 */
export interface NftElements {
  clusterIPs: Map<string, string>;
  serviceIPs: Map<string, string>;
  noEndpointServices: Map<string, string>;
}

export class NftNameCache {
  private readonly m = new Map<string, string>();
  service(sp: ServicePortInfo): string {
    const k = `${sp.nameString}|${sp.protocol}`;
    let v = this.m.get(k);
    if (v === undefined) this.m.set(k, (v = nftServiceChain(sp.namespace, sp.name, sp.protocol, sp.portName)));
    return v;
  }
}

export interface NftRenderOptions {
  /** pod CIDR: ClusterIP traffic from outside it is masqueraded (kube-proxy --cluster-cidr) */
  clusterCIDR?: string;
  /** the Service CIDR: traffic to unallocated ClusterIPs in it is dropped */
  serviceCIDR?: string;
  /**
   * --nodeport-addresses resolved to the node's IPs (kube-proxy 1.36's default is the node's
   * primary IP): NodePorts are matched against @nodeport-ips. Absent: every local address
   * (`fib daddr type local`), and the set is deleted.
   */
  nodeIPs?: readonly string[];
  /** first sync into this table: add+delete the base chains once so they are re-created */
  first?: boolean;
  /**
   * Elements known to be in the kernel (the last applied sync), for a full sync: only the
   * difference is written, as kube-proxy does after listing them. Absent: the containers are flushed.
   */
  known?: NftElements;
  /** partial sync: only Services in `changed` get their chains rewritten; elements are diffed against `previous` */
  partial?: { changed: ReadonlySet<string>; previous: NftElements };
  /** service chains no longer used: flushed and deleted after the elements pointing at them */
  staleChains?: Iterable<string> | ((inUse: Map<string, string[]>) => Iterable<string>);
  names?: NftNameCache;
}

export interface NftRender {
  text: string;
  /** elements in the service-ips and no-endpoint-services verdict maps after the transaction */
  rules: number;
  /** svcKey -> service chains in use */
  chains: Map<string, string[]>;
  elements: NftElements;
}

function setupLines(out: string[], opts: NftRenderOptions): void {
  out.push(`add table ${T} { comment "rules for kube-proxy" ; }`);
  if (opts.first) for (const [name] of BASE_CHAINS) out.push(`add chain ${T} ${name}`, `delete chain ${T} ${name}`);
  for (const [name, type, hook, prio] of BASE_CHAINS) {
    out.push(`add chain ${T} ${name} { type ${type} hook ${hook} priority ${prio} ; }`, `flush chain ${T} ${name}`);
  }
  const created = new Set<string>();
  const ensure = (c: string): void => {
    if (created.has(c)) return;
    created.add(c);
    out.push(`add chain ${T} ${c}`, `flush chain ${T} ${c}`);
  };
  for (const [dst, src, extra] of JUMP_CHAINS) {
    ensure(dst);
    out.push(`add rule ${T} ${src} ${extra ? `${extra} ` : ''}jump ${dst}`);
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading']) ensure(c);
  const nodeIPs = opts.nodeIPs;
  // the loopback range never takes NodePorts (kube-proxy leaves route_localnet alone in nftables mode)
  const nodePortDst = nodeIPs ? 'ip daddr @nodeport-ips' : 'ip daddr != 127.0.0.0/8';
  out.push(
    `add set ${T} hairpin-connections { type ipv4_addr . ipv4_addr . inet_proto . inet_service ; comment "service hairpin connections" ; }`,
    `add rule ${T} masquerading mark and ${MASQ_MARK} != 0 mark set mark xor ${MASQ_MARK} masquerade fully-random`,
    `add rule ${T} masquerading ct status dnat ip saddr . ip daddr . meta l4proto . th dport @hairpin-connections masquerade fully-random`,
    `add set ${T} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add rule ${T} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${T} cluster-ips-check ip daddr { ${opts.serviceCIDR ?? SERVICE_CIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    `add set ${T} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
  );
  if (!nodeIPs) out.push(`delete set ${T} nodeport-ips`);
  else {
    out.push(`flush set ${T} nodeport-ips`);
    for (const ip of nodeIPs) out.push(`add element ${T} nodeport-ips { ${ip} }`);
  }
  out.push(
    `add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add chain ${T} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `flush chain ${T} reject-chain`,
    `add rule ${T} reject-chain reject`,
    `add rule ${T} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${T} nodeport-endpoints-check ${nodePortDst} meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add rule ${T} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
  );
  if (opts.clusterCIDR) {
    out.push(`add rule ${T} services ip daddr @cluster-ips ip saddr != ${opts.clusterCIDR} ${MARK_MASQ} comment "masquerade clusterIP traffic from outside cluster"`);
  }
  out.push(
    `add rule ${T} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${T} services ${nodeIPs ? '' : 'fib daddr type local '}${nodePortDst} meta l4proto . th dport vmap @service-nodeports`,
  );
  // kube-proxy lists each container's elements and keeps them; what it cannot know, it flushes.
  // The model knows exactly what it applied last, or nothing. The containers the model never
  // fills (firewall, NodePorts, hairpin) are flushed: they are empty, so that writes nothing away.
  if (!opts.known) out.push(`flush set ${T} cluster-ips`, `flush map ${T} service-ips`, `flush map ${T} no-endpoint-services`);
  out.push(
    `flush map ${T} firewall-ips`,
    `flush map ${T} no-endpoint-nodeports`,
    `flush map ${T} service-nodeports`,
    `flush set ${T} hairpin-connections`,
  );
}

/** One container's ensureElem/cleanupLeftoverKeys: writes adds (and delete+add for changed values). */
class ElementWriter {
  readonly next = new Map<string, string>();
  constructor(private readonly out: string[], private readonly container: string, private readonly prev: Map<string, string> | undefined) {}
  ensure(key: string, value: string, element: string): void {
    if (this.next.has(key)) return;
    this.next.set(key, value);
    const old = this.prev?.get(key);
    if (old === value) return;
    if (old !== undefined) this.out.push(`delete element ${T} ${this.container} { ${key} }`);
    this.out.push(`add element ${T} ${this.container} { ${element} }`);
  }
  cleanup(): void {
    if (!this.prev) return;
    for (const key of this.prev.keys()) if (!this.next.has(key)) this.out.push(`delete element ${T} ${this.container} { ${key} }`);
  }
}

export function renderNftables(ports: readonly ServicePortInfo[], opts: NftRenderOptions = {}): NftRender {
  const names = opts.names ?? new NftNameCache();
  const out: string[] = [];
  const partial = opts.partial;
  if (!partial) setupLines(out, opts);
  const prev = partial ? partial.previous : opts.known;
  const clusterIPs = new ElementWriter(out, 'cluster-ips', prev?.clusterIPs);
  const serviceIPs = new ElementWriter(out, 'service-ips', prev?.serviceIPs);
  const noEndpoint = new ElementWriter(out, 'no-endpoint-services', prev?.noEndpointServices);
  const chains = new Map<string, string[]>();
  const created = new Set<string>();

  for (const sp of ports) {
    const p = sp.protocol;
    const n = sp.endpoints.length;
    const write = !partial || partial.changed.has(sp.svcKey);
    let used = chains.get(sp.svcKey);
    if (!used) chains.set(sp.svcKey, (used = []));
    const svc = n > 0 ? names.service(sp) : '';
    if (svc && !created.has(svc)) {
      created.add(svc);
      used.push(svc);
      if (write) out.push(`add chain ${T} ${svc}`, `flush chain ${T} ${svc}`);
    }
    clusterIPs.ensure(sp.clusterIP, '', sp.clusterIP);
    const key = `${sp.clusterIP} . ${p} . ${sp.port}`;
    if (n > 0) serviceIPs.ensure(key, svc, `${key} : goto ${svc}`);
    else noEndpoint.ensure(key, 'reject', `${key} comment "${sp.nameString}" : goto reject-chain`);
    if (!write || n === 0) continue;
    let map = '';
    for (let i = 0; i < n; i++) {
      const ep = sp.endpoints[i]!;
      map += `${i ? ' , ' : ''}${i} : ${ep.ip} . ${ep.port}`;
    }
    out.push(`add rule ${T} ${svc} meta l4proto ${p} dnat ip addr . port to numgen random mod ${n} map { ${map} }`);
  }
  clusterIPs.cleanup();
  serviceIPs.cleanup();
  noEndpoint.cleanup();
  // flush every stale chain before deleting any (kube-proxy flushes now and deletes a second
  // later, for kernels before 6.2 that notice a chain is unreferenced only after a while; the
  // kernel is >= 6.2 here, so the model deletes in the same transaction)
  const stale = [...(typeof opts.staleChains === 'function' ? opts.staleChains(chains) : opts.staleChains ?? [])].filter((c) => !created.has(c));
  for (const c of stale) out.push(`flush chain ${T} ${c}`);
  for (const c of stale) out.push(`delete chain ${T} ${c}`);
  out.push('');
  const elements: NftElements = { clusterIPs: clusterIPs.next, serviceIPs: serviceIPs.next, noEndpointServices: noEndpoint.next };
  return { text: out.join('\n'), rules: serviceIPs.next.size + noEndpoint.next.size, chains, elements };
}

export function renderNftablesCleanup(): string {
  return `add table ${T}\ndelete table ${T}\n`;
}
