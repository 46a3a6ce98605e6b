import { nftEndpointChain, nftServiceChain } from './chain-names.js';
import type { ServicePortInfo } from './service-ports.js';
import { SERVICE_CIDR } from '../model/addressing.js';

/**
 * kube-proxy's nftables layout (pkg/proxy/nftables/proxier.go) as one `nft -f -` transaction, in
 * the text knftables writes. Dispatch is one verdict-map lookup (`@service-ips`) instead of a
 * linear walk, and each Service load-balances with `numgen random mod N vmap`. A full sync
 * re-creates the base chains and flushes the maps; a partial sync (kube-proxy #126013) adds or
 * deletes only the elements and chains of changed Services.
 */

export const NFT_TABLE = 'ip kube-proxy';
const T = NFT_TABLE;
const MASQ_MARK = '0x4000';

/** nftablesBaseChains: name, type, hook, priority (dstnat = -100, srcnat = 100) */
const BASE_CHAINS: ReadonlyArray<readonly [string, string, string, number]> = [
  ['filter-prerouting', 'filter', 'prerouting', -110],
  ['filter-input', 'filter', 'input', -110],
  ['filter-forward', 'filter', 'forward', -110],
  ['filter-output', 'filter', 'output', -110],
  ['filter-output-post-dnat', 'filter', 'output', -90],
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
  ['firewall-check', 'filter-prerouting', 'ct state new'],
  ['firewall-check', 'filter-output', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output-post-dnat', 'ct state new'],
];

/** The contents of kube-proxy's element containers (nftElementStorage): key -> value. */
export interface NftElements {
  clusterIPs: Map<string, string>;
  serviceIPs: Map<string, string>;
  noEndpointServices: Map<string, string>;
}

export class NftNameCache {
  private readonly m = new Map<string, string>();
  service(sp: ServicePortInfo): string {
    const k = `s|${sp.nameString}|${sp.protocol}`;
    let v = this.m.get(k);
    if (v === undefined) this.m.set(k, (v = nftServiceChain(sp.namespace, sp.name, sp.protocol, sp.portName)));
    return v;
  }
  endpoint(sp: ServicePortInfo, ip: string, port: number): string {
    const k = `e|${sp.nameString}|${sp.protocol}|${ip}|${port}`;
    let v = this.m.get(k);
    if (v === undefined) this.m.set(k, (v = nftEndpointChain(sp.namespace, sp.name, sp.protocol, sp.portName, ip, port)));
    return v;
  }
}

export interface NftRenderOptions {
  clusterCIDR?: string;
  /** the Service CIDR: traffic to unallocated ClusterIPs in it is dropped */
  serviceCIDR?: string;
  /** first sync into this table: add+delete the base chains once so they are re-created */
  first?: boolean;
  /** partial sync: only Services in `changed` get their chains rewritten; elements are diffed against `previous` */
  partial?: { changed: ReadonlySet<string>; previous: NftElements };
  /** service/endpoint chains no longer used: flushed and deleted after the elements pointing at them */
  staleChains?: Iterable<string> | ((inUse: Map<string, string[]>) => Iterable<string>);
  names?: NftNameCache;
}

export interface NftRender {
  text: string;
  /** elements in the service-ips and no-endpoint-services verdict maps after the transaction */
  rules: number;
  /** svcKey -> service/endpoint chains in use */
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
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) ensure(c);
  out.push(
    `add rule ${T} mark-for-masquerade mark set mark or ${MASQ_MARK}`,
    `add rule ${T} masquerading mark and ${MASQ_MARK} == 0 return`,
    `add rule ${T} masquerading mark set mark xor ${MASQ_MARK}`,
    `add rule ${T} masquerading masquerade fully-random`,
    `add set ${T} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`,
    `add rule ${T} cluster-ips-check ip daddr @cluster-ips reject comment "Reject traffic to invalid ports of ClusterIPs"`,
    `add rule ${T} cluster-ips-check ip daddr { ${opts.serviceCIDR ?? SERVICE_CIDR} } drop comment "Drop traffic to unallocated ClusterIPs"`,
    `add set ${T} nodeport-ips { type ipv4_addr ; comment "IPs that accept NodePort traffic" ; }`,
    `delete set ${T} nodeport-ips`,
    `add map ${T} no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to services with no endpoints" ; }`,
    `add map ${T} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`,
    `add chain ${T} reject-chain { comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ; }`,
    `flush chain ${T} reject-chain`,
    `add rule ${T} reject-chain reject`,
    `add rule ${T} service-endpoints-check ip daddr . meta l4proto . th dport vmap @no-endpoint-services`,
    `add rule ${T} nodeport-endpoints-check ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports`,
    `add map ${T} firewall-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`,
    `add rule ${T} firewall-check ip daddr . meta l4proto . th dport vmap @firewall-ips`,
    `add map ${T} service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`,
    `add map ${T} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`,
    `add rule ${T} services ip daddr . meta l4proto . th dport vmap @service-ips`,
    `add rule ${T} services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports`,
    `flush set ${T} cluster-ips`,
    `flush map ${T} service-ips`,
    `flush map ${T} firewall-ips`,
    `flush map ${T} no-endpoint-services`,
    `flush map ${T} no-endpoint-nodeports`,
    `flush map ${T} service-nodeports`,
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
  const prev = partial?.previous;
  const clusterIPs = new ElementWriter(out, 'cluster-ips', prev?.clusterIPs);
  const serviceIPs = new ElementWriter(out, 'service-ips', prev?.serviceIPs);
  const noEndpoint = new ElementWriter(out, 'no-endpoint-services', prev?.noEndpointServices);
  const chains = new Map<string, string[]>();
  const masq = opts.clusterCIDR ? ` ip saddr != ${opts.clusterCIDR}` : '';
  const created = new Set<string>();
  const ensureChain = (c: string, write: boolean): void => {
    if (created.has(c)) return;
    created.add(c);
    if (write) out.push(`add chain ${T} ${c}`, `flush chain ${T} ${c}`);
  };

  for (const sp of ports) {
    const p = sp.protocol;
    const n = sp.endpoints.length;
    const write = !partial || partial.changed.has(sp.svcKey);
    let used = chains.get(sp.svcKey);
    if (!used) chains.set(sp.svcKey, (used = []));
    const eps = sp.endpoints.map((ep) => names.endpoint(sp, ep.ip, ep.port));
    for (const ep of eps) {
      ensureChain(ep, write);
      used.push(ep);
    }
    const svc = n > 0 ? names.service(sp) : '';
    if (svc) {
      ensureChain(svc, write);
      used.push(svc);
    }
    clusterIPs.ensure(sp.clusterIP, '', sp.clusterIP);
    const key = `${sp.clusterIP} . ${p} . ${sp.port}`;
    if (n > 0) serviceIPs.ensure(key, svc, `${key} : goto ${svc}`);
    else noEndpoint.ensure(key, 'reject', `${key} comment "${sp.nameString}" : goto reject-chain`);
    if (!write || n === 0) continue;
    if (masq) out.push(`add rule ${T} ${svc} ip daddr ${sp.clusterIP} ${p} dport ${sp.port}${masq} jump mark-for-masquerade`);
    const vmap = eps.map((c, i) => `${i} : goto ${c}`).join(' , ');
    out.push(`add rule ${T} ${svc} numgen random mod ${n} vmap { ${vmap} }`);
    for (let i = 0; i < n; i++) {
      const ep = sp.endpoints[i]!;
      out.push(
        `add rule ${T} ${eps[i]} ip saddr ${ep.ip} jump mark-for-masquerade`,
        `add rule ${T} ${eps[i]} meta l4proto ${p} dnat to ${ep.hostPort}`,
      );
    }
  }
  clusterIPs.cleanup();
  serviceIPs.cleanup();
  noEndpoint.cleanup();
  // flush every stale chain before deleting any: a stale service chain's vmap still names its
  // endpoint chains until it is flushed (the kernel is >= 6.2 here, so kube-proxy's one-second
  // wait before deleting is not needed)
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
