import { sepChain, svcChain } from './chain-names.js';
import type { ServicePortInfo } from './service-ports.js';

/**
 * kube-proxy's iptables layout (pkg/proxy/iptables/proxier.go), as one `iptables-restore
 * --noflush` input. A full render writes every chain; a partial render (KEP-3453, kube-proxy
 * 1.28+) still rewrites the top-level chains (KUBE-SERVICES is always rebuilt, one rule per
 * service port) but only the KUBE-SVC-/KUBE-SEP- chains of changed Services, and flushes and
 * deletes chains that are gone.
 */

export const MASQ_MARK = '0x4000';
/** kube-proxy drops per-endpoint comments above this many endpoints (largeClusterEndpointsThreshold) */
export const LARGE_CLUSTER_ENDPOINTS = 1000;

const NAT_TOP = ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ'];
const FILTER_TOP = ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL'];
/**
 * kube-proxy's iptables monitor creates this empty chain in mangle, nat and filter at start and
 * re-syncs fully when it disappears (someone flushed the tables).
 */
const CANARY = 'KUBE-PROXY-CANARY';
/**
 * kubelet's rule against martian packets to 127.0.0.0/8 (route_localnet is on for localhost
 * NodePorts), which kube-proxy writes too, in every sync.
 */
const LOCALNET_DROP = '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP';

/** kube-proxy's iptablesJumpChains: [table, from built-in chain, to, comment, extra match]. */
export const JUMP_RULES: ReadonlyArray<readonly [table: 'filter' | 'nat', from: string, to: string, comment: string, extra: string]> = [
  ['filter', 'INPUT', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', '-m conntrack --ctstate NEW'],
  ['filter', 'FORWARD', 'KUBE-EXTERNAL-SERVICES', 'kubernetes externally-visible service portals', '-m conntrack --ctstate NEW'],
  ['filter', 'INPUT', 'KUBE-NODEPORTS', 'kubernetes health check service ports', ''],
  ['filter', 'FORWARD', 'KUBE-SERVICES', 'kubernetes service portals', '-m conntrack --ctstate NEW'],
  ['filter', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', '-m conntrack --ctstate NEW'],
  ['filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules', ''],
  ['filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', '-m conntrack --ctstate NEW'],
  ['filter', 'OUTPUT', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', '-m conntrack --ctstate NEW'],
  ['filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kubernetes load balancer firewall', '-m conntrack --ctstate NEW'],
  ['nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals', ''],
  ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules', ''],
  // iptablesKubeletJumpChains: kubelet's, duplicated by kube-proxy, without a comment
  ['filter', 'INPUT', 'KUBE-FIREWALL', '', ''],
  ['filter', 'OUTPUT', 'KUBE-FIREWALL', '', ''],
];

export function jumpRuleArgs(from: string, to: string, comment: string, extra: string): string {
  return `${from} ${extra ? `${extra} ` : ''}${comment ? `-m comment --comment "${comment}" ` : ''}-j ${to}`;
}

/** Memo of hash names: a sync at 30k Services would otherwise spend most of its time in sha256. */
export class ChainNameCache {
  private readonly svc = new Map<string, string>();
  private readonly sep = new Map<string, string>();
  svcChain(sp: ServicePortInfo): string {
    const k = sp.nameString + sp.protocol;
    let v = this.svc.get(k);
    if (v === undefined) this.svc.set(k, (v = svcChain(sp.nameString, sp.protocol)));
    return v;
  }
  sepChain(sp: ServicePortInfo, hostPort: string): string {
    const k = sp.nameString + sp.protocol + hostPort;
    let v = this.sep.get(k);
    if (v === undefined) this.sep.set(k, (v = sepChain(sp.nameString, sp.protocol, hostPort)));
    return v;
  }
  clear(): void {
    this.svc.clear();
    this.sep.clear();
  }
}

/**
 * Text of one service port's KUBE-SVC-/KUBE-SEP- chains, kept between syncs: an unchanged
 * Service (same fingerprint) costs a lookup instead of re-rendering, so repeated full syncs at
 * 10k+ Services spend their time in iptables-restore, as kube-proxy's would.
 */
interface Block {
  fp: string;
  large: boolean;
  /** ":CHAIN - [0:0]" lines */
  chainText: string;
  ruleText: string;
  chains: string[];
  rules: number;
}

/** Names computed directly, for renders whose blocks are cached anyway. */
const DIRECT_NAMES = {
  svcChain: (sp: ServicePortInfo): string => svcChain(sp.nameString, sp.protocol),
  sepChain: (sp: ServicePortInfo, hostPort: string): string => sepChain(sp.nameString, sp.protocol, hostPort),
} as ChainNameCache;

export interface IptablesRenderOptions {
  /** pod CIDR: traffic to a ClusterIP from outside it is masqueraded (kube-proxy --cluster-cidr) */
  clusterCIDR?: string;
  /** svcKeys whose KUBE-SVC-/KUBE-SEP- chains are written; absent = all (full sync) */
  changed?: ReadonlySet<string>;
  /** chains that existed before and are no longer used: flushed and deleted (-X); a function gets the chains now in use */
  staleChains?: Iterable<string> | ((inUse: Map<string, string[]>) => Iterable<string>);
  /** also insert the jumps from the built-in chains (kube-proxy's EnsureRule, first sync only) */
  jumps?: boolean;
  names?: ChainNameCache;
  /** reuse rendered chains of Services whose fingerprint (svcKey -> fp) is unchanged; the cache must belong to one clusterCIDR */
  blocks?: { cache: Map<string, Block>; fps: ReadonlyMap<string, string> };
}

export type IptablesBlockCache = Map<string, Block>;

export interface IptablesRender {
  text: string;
  /** rules in the filter and nat tables after the restore, written or not */
  rules: number;
  /** svcKey -> every KUBE-SVC-/KUBE-SEP- chain the Service uses now */
  chains: Map<string, string[]>;
}

const probCache: string[] = [];
/** kube-proxy's probability(n): fmt.Sprintf("%0.10f", 1/n) */
export function probability(n: number): string {
  return (probCache[n] ??= (1 / n).toFixed(10));
}

function renderBlock(sp: ServicePortInfo, svc: string, match: string, masq: string, large: boolean, names: ChainNameCache, fp: string): Block {
  const n = sp.endpoints.length;
  const p = sp.protocol;
  const name = sp.nameString;
  const chains = [svc];
  let chainText = `:${svc} - [0:0]`;
  let ruleText = masq ? `-A ${svc} -m comment --comment "${name} cluster IP" ${match}${masq} -j KUBE-MARK-MASQ\n` : '';
  let sepText = '';
  const sepComment = large ? '' : ` -m comment --comment ${name}`;
  for (let i = 0; i < n; i++) {
    const ep = sp.endpoints[i]!;
    const sep = names.sepChain(sp, ep.hostPort);
    chains.push(sep);
    chainText += `\n:${sep} - [0:0]`;
    const comment = large ? '' : ` -m comment --comment "${name} -> ${ep.hostPort}"`;
    const stat = i < n - 1 ? ` -m statistic --mode random --probability ${probability(n - i)}` : '';
    ruleText += `-A ${svc}${comment}${stat} -j ${sep}\n`;
    sepText += `-A ${sep}${sepComment} -s ${ep.ip} -j KUBE-MARK-MASQ\n-A ${sep}${sepComment} -m ${p} -p ${p} -j DNAT --to-destination ${ep.hostPort}\n`;
  }
  ruleText += sepText;
  return { fp, large, chainText, ruleText: ruleText.slice(0, -1), chains, rules: (masq ? 1 : 0) + 3 * n };
}

export function renderIptables(ports: readonly ServicePortInfo[], opts: IptablesRenderOptions = {}): IptablesRender {
  // without a block cache every name is computed once per render: a memo would only add lookups
  const names = opts.names ?? (opts.blocks ? DIRECT_NAMES : new ChainNameCache());
  // the canary chains are created once, with the jumps
  const canary = opts.jumps ? [CANARY] : [];
  const filterChains: string[] = [...FILTER_TOP, ...canary].map((c) => `:${c} - [0:0]`);
  const filterRules: string[] = [LOCALNET_DROP];
  const natChains: string[] = [...NAT_TOP, ...canary].map((c) => `:${c} - [0:0]`);
  const natRules: string[] = [
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
  ];
  let natRuleCount = natRules.length;
  const chains = new Map<string, string[]>();
  let totalEndpoints = 0;
  for (const sp of ports) totalEndpoints += sp.endpoints.length;
  const large = totalEndpoints > LARGE_CLUSTER_ENDPOINTS;
  const masq = opts.clusterCIDR ? ` ! -s ${opts.clusterCIDR}` : '';
  const cache = opts.blocks?.cache;
  const fps = opts.blocks?.fps;

  for (let k = 0; k < ports.length; k++) {
    const sp = ports[k]!;
    const p = sp.protocol;
    const match = `-m ${p} -p ${p} -d ${sp.clusterIP} --dport ${sp.port}`;
    if (sp.endpoints.length === 0) {
      if (!chains.has(sp.svcKey)) chains.set(sp.svcKey, []);
      filterRules.push(`-A KUBE-SERVICES -m comment --comment "${sp.nameString} has no endpoints" ${match} -j REJECT`);
      continue;
    }
    const svc = names.svcChain(sp);
    natRules.push(`-A KUBE-SERVICES -m comment --comment "${sp.nameString} cluster IP" ${match} -j ${svc}`);
    natRuleCount++;
    const cacheKey = `${sp.svcKey}\0${sp.portIndex}`;
    const fp = fps?.get(sp.svcKey) ?? '';
    let block = cache?.get(cacheKey);
    if (!block || !fp || block.fp !== fp || block.large !== large) {
      block = renderBlock(sp, svc, match, masq, large, names, fp);
      if (cache && fp) cache.set(cacheKey, block);
    }
    const used = chains.get(sp.svcKey);
    // the first port's block array is shared, not copied; a second port of the Service gets a new array
    chains.set(sp.svcKey, used ? [...used, ...block.chains] : block.chains);
    natRuleCount += block.rules;
    if (opts.changed && !opts.changed.has(sp.svcKey)) continue;
    natChains.push(block.chainText);
    natRules.push(block.ruleText);
  }

  for (const c of typeof opts.staleChains === 'function' ? opts.staleChains(chains) : opts.staleChains ?? []) {
    natChains.push(`:${c} - [0:0]`);
    natRules.push(`-X ${c}`);
  }
  natRules.push('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS');
  natRuleCount++;

  filterRules.push(
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
  );
  const rules = filterRules.length + natRuleCount;

  let mangle = '';
  if (opts.jumps) {
    for (const [table, from, to, comment, extra] of JUMP_RULES) {
      (table === 'filter' ? filterRules : natRules).push(`-I ${jumpRuleArgs(from, to, comment, extra)}`);
    }
    mangle = `*mangle\n:${CANARY} - [0:0]\nCOMMIT\n`;
  }
  const text = `${mangle}*filter\n${filterChains.join('\n')}\n${filterRules.join('\n')}\nCOMMIT\n*nat\n${natChains.join('\n')}\n${natRules.join('\n')}\nCOMMIT\n`;
  return { text, rules, chains };
}

/**
 * Removes everything renderIptables installed: the jumps from the built-in chains (when
 * installed) first, then every chain flushed and deleted.
 */
export function renderIptablesCleanup(natChainsToDelete: Iterable<string>, filterJumps: boolean, natJumps: boolean): string {
  // the canary chains come with the filter jumps (renderIptables' first sync; IPVS writes neither)
  const canary = filterJumps ? [CANARY] : [];
  const natChains = [...new Set([...NAT_TOP, ...natChainsToDelete, ...canary])];
  const filterChains = [...FILTER_TOP, ...canary];
  const filterR: string[] = [];
  const natR: string[] = [];
  for (const [table, from, to, comment, extra] of JUMP_RULES) {
    if (table === 'filter' && filterJumps) filterR.push(`-D ${jumpRuleArgs(from, to, comment, extra)}`);
    if (table === 'nat' && natJumps) natR.push(`-D ${jumpRuleArgs(from, to, comment, extra)}`);
  }
  const mangle = filterJumps ? ['*mangle', `:${CANARY} - [0:0]`, `-X ${CANARY}`, 'COMMIT'] : [];
  const filter = filterJumps ? ['*filter', ...filterChains.map((c) => `:${c} - [0:0]`), ...filterR, ...filterChains.map((c) => `-X ${c}`), 'COMMIT'] : [];
  return [
    ...mangle,
    ...filter,
    '*nat', ...natChains.map((c) => `:${c} - [0:0]`), ...natR, ...natChains.map((c) => `-X ${c}`), 'COMMIT', '',
  ].join('\n');
}
