import type { ServicePortInfo } from './service-ports.js';
import { MASQ_MARK, jumpRuleArgs } from './iptables.js';

/**
 * kube-proxy's IPVS layout (pkg/proxy/ipvs/proxier.go): every ClusterIP is an address of the
 * dummy link kube-ipvs0, one IPVS virtual server per ClusterIP:port (scheduler rr, masquerading
 * real servers), ipsets instead of one rule per Service, and a fixed set of iptables rules that
 * match those sets. Proven against real kube-proxy --proxy-mode=ipvs by
 * test/vm/guest/ipvs-model-vs-real.ts (in the VM: this host has no ip_vs).
 */

/**
 * kube-proxy's ipsets (ipsetInfo), all created on every sync. For ClusterIP Services only
 * KUBE-CLUSTER-IP (ClusterIP,proto:port) and KUBE-IPVS-IPS (every address on kube-ipvs0, for
 * the filter that rejects other ports of those addresses) get entries. KUBE-LOOP-BACK would
 * hold the endpoints on this node (hairpin: a pod reaching itself through its Service); the
 * EndpointSlices this harness writes name no node, so kube-proxy counts none as local, leaves
 * the set empty and writes no rule for it, and the model does the same.
 */
const IPVS_SETS: ReadonlyArray<readonly [name: string, type: string]> = [
  ['KUBE-LOOP-BACK', 'hash:ip,port,ip'],
  ['KUBE-CLUSTER-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP', 'hash:ip,port'],
  ['KUBE-EXTERNAL-IP-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-FW', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-LOCAL', 'hash:ip,port'],
  ['KUBE-LOAD-BALANCER-SOURCE-IP', 'hash:ip,port,ip'],
  ['KUBE-LOAD-BALANCER-SOURCE-CIDR', 'hash:ip,port,net'],
  ['KUBE-NODE-PORT-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-TCP', 'bitmap:port'],
  ['KUBE-NODE-PORT-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-LOCAL-UDP', 'bitmap:port'],
  ['KUBE-NODE-PORT-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-NODE-PORT-LOCAL-SCTP-HASH', 'hash:ip,port'],
  ['KUBE-HEALTH-CHECK-NODE-PORT', 'bitmap:port'],
  ['KUBE-IPVS-IPS', 'hash:ip'],
];
export const IPVS_SET_NAMES: readonly string[] = IPVS_SETS.map(([name]) => name);

/**
 * The IPVS sysctls kube-proxy sets when it starts in IPVS mode (NewProxier), all of them per
 * network namespace: conntrack=1 lets IPVS traffic through netfilter conntrack (the MASQUERADE
 * rule needs it), expire_nodest_conn=1 drops a flow to a deleted real server on its next packet
 * instead of blackholing it until it times out, expire_quiescent_template=1 does the same for
 * persistence templates of weight-0 servers. conn_reuse_mode=0 only on kernels 4.1 to 5.8: from
 * 5.9 on kube-proxy leaves it as it is (kubernetes#93297). `kernel` is a release as uname -r
 * prints it.
 */
export function ipvsSysctls(kernel: string): string[] {
  const [major = 0, minor = 0] = kernel.split(/[.-]/).map(Number);
  const v = major * 1000 + minor;
  const reuse = v >= 4001 && v < 5009 ? ['net.ipv4.vs.conn_reuse_mode=0'] : [];
  return ['net.ipv4.vs.conntrack=1', ...reuse, 'net.ipv4.vs.expire_nodest_conn=1', 'net.ipv4.vs.expire_quiescent_template=1'];
}

const NAT_CHAINS = ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'];
const FILTER_CHAINS = ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'];

/** iptablesJumpChain: each prepended in this order, so the last one ends up first */
const IPVS_JUMPS: ReadonlyArray<readonly [table: 'filter' | 'nat', from: string, to: string, comment: string]> = [
  ['nat', 'OUTPUT', 'KUBE-SERVICES', 'kubernetes service portals'],
  ['nat', 'PREROUTING', 'KUBE-SERVICES', 'kubernetes service portals'],
  ['nat', 'POSTROUTING', 'KUBE-POSTROUTING', 'kubernetes postrouting rules'],
  ['filter', 'FORWARD', 'KUBE-FORWARD', 'kubernetes forwarding rules'],
  ['filter', 'INPUT', 'KUBE-NODE-PORT', 'kubernetes health check rules'],
  ['filter', 'INPUT', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules'],
  ['filter', 'FORWARD', 'KUBE-PROXY-FIREWALL', 'kube-proxy firewall rules'],
  ['filter', 'INPUT', 'KUBE-IPVS-FILTER', 'kubernetes ipvs access filter'],
  ['filter', 'OUTPUT', 'KUBE-IPVS-OUT-FILTER', 'kubernetes ipvs access filter'],
];

const createSet = ([name, type]: readonly [string, string]) =>
  type === 'bitmap:port' ? `create ${name} bitmap:port range 0-65535` : `create ${name} ${type} family inet hashsize 1024 maxelem 65536`;

/**
 * The iptables rules of IPVS mode (writeIptablesRules): the same on every sync except that the
 * KUBE-CLUSTER-IP rules exist only while that set has entries.
 */
function renderIpvsIptables(opts: { clusterIPs: boolean; clusterCIDR?: string; jumps?: boolean }): string {
  const jumps = (table: 'filter' | 'nat') => (opts.jumps ? IPVS_JUMPS.filter(([t]) => t === table).map(([, from, to, comment]) => `-I ${jumpRuleArgs(from, to, comment, '')}`) : []);
  const masqSrc = opts.clusterCIDR ? `! -s ${opts.clusterCIDR} ` : '';
  return [
    '*filter',
    ...FILTER_CHAINS.map((c) => `:${c} - [0:0]`),
    '-A KUBE-SOURCE-RANGES-FIREWALL -j DROP',
    `-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark ${MASQ_MARK}/${MASQ_MARK} -j ACCEPT`,
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A KUBE-NODE-PORT -m comment --comment "Kubernetes health check node port" -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j ACCEPT',
    ...['KUBE-LOAD-BALANCER', 'KUBE-CLUSTER-IP', 'KUBE-EXTERNAL-IP', 'KUBE-EXTERNAL-IP-LOCAL'].map((set) => `-A KUBE-IPVS-FILTER -m set --match-set ${set} dst,dst -j RETURN`),
    '-A KUBE-IPVS-FILTER -m set --match-set KUBE-HEALTH-CHECK-NODE-PORT dst -j RETURN',
    // a new connection to a kube-ipvs0 address on a port no Service has
    '-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT',
    ...jumps('filter'),
    'COMMIT',
    '*nat',
    ...NAT_CHAINS.map((c) => `:${c} - [0:0]`),
    '-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN',
    ...(opts.clusterIPs ? [`-A KUBE-SERVICES ${masqSrc}-m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`] : []),
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-LOAD-BALANCER -j KUBE-MARK-MASQ',
    ...(opts.clusterIPs ? ['-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT'] : []),
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
    ...jumps('nat'),
    'COMMIT',
    '',
  ].join('\n');
}

/** Everything IPVS mode put in iptables, removed: the jumps (when installed), then the chains. */
export function renderIpvsIptablesCleanup(jumps: boolean): string {
  const del = (table: 'filter' | 'nat') => (jumps ? IPVS_JUMPS.filter(([t]) => t === table).map(([, from, to, comment]) => `-D ${jumpRuleArgs(from, to, comment, '')}`) : []);
  const table = (name: 'filter' | 'nat', chains: string[]) => [`*${name}`, ...chains.map((c) => `:${c} - [0:0]`), ...del(name), ...chains.map((c) => `-X ${c}`), 'COMMIT'];
  return [...table('filter', FILTER_CHAINS), ...table('nat', NAT_CHAINS), ''].join('\n');
}

/**
 * What kube-proxy's IPVS proxier has programmed, as sets, so the next sync writes only the
 * difference: kube-proxy never clears IPVS, it adds, edits and deletes virtual and real servers
 * one by one (syncService, syncEndpoint, cleanLegacyService), which keeps every unchanged
 * server's connections and counters.
 */
export interface IpvsSnapshot {
  /** "-t 10.96.0.1:443" -> real servers "10.244.64.1:8080" in rotation (weight 1) */
  servers: Map<string, Set<string>>;
  /**
   * Real servers out of rotation (weight 0) but still in the kernel: kube-proxy's graceful
   * termination list (graceful_termination.go). A TCP real server whose endpoint left while
   * connections to it were open stays so, those connections still reaching it, until none is
   * left; UDP ones are never here (deleted at once).
   */
  draining: Map<string, Set<string>>;
  /** KUBE-CLUSTER-IP entries "10.96.0.1,tcp:443" */
  clusterIP: Set<string>;
  /** KUBE-IPVS-IPS entries: the ClusterIPs */
  ipvsIPs: Set<string>;
  /** "10.96.0.1/32" on kube-ipvs0 */
  addresses: Set<string>;
}

export function ipvsSnapshot(ports: readonly ServicePortInfo[]): IpvsSnapshot {
  const snap: IpvsSnapshot = { servers: new Map(), draining: new Map(), clusterIP: new Set(), ipvsIPs: new Set(), addresses: new Set() };
  for (const sp of ports) {
    const vs = `${sp.protocol === 'udp' ? '-u' : '-t'} ${sp.clusterIP}:${sp.port}`;
    snap.addresses.add(`${sp.clusterIP}/32`);
    snap.ipvsIPs.add(sp.clusterIP);
    snap.clusterIP.add(`${sp.clusterIP},${sp.protocol}:${sp.port}`);
    snap.servers.set(vs, new Set(sp.endpoints.map((ep) => ep.hostPort)));
  }
  return snap;
}

/**
 * kube-proxy drains only TCP real servers (IsRsGracefulTerminationNeeded): a UDP one is deleted
 * at once and the kernel drops its flows on their next packet (expire_nodest_conn=1, set as
 * ipvsSysctls says).
 */
const drains = (vs: string) => vs.startsWith('-t ');

/** "-t 10.96.0.1:80" + "10.244.64.1:8080": the key of one real server of one virtual server */
export const realServerKey = (vs: string, rs: string) => `${vs}/${rs}`;

/**
 * The TCP virtual servers that lose a real server from `prev` to `next`: kube-proxy reads their
 * real servers' connection counts before deleting (GracefulDeleteRS), and so must the caller,
 * passing those with connections to renderIpvsSync as `busy`.
 */
export function ipvsLosingServers(prev: IpvsSnapshot | undefined, next: IpvsSnapshot): string[] {
  if (!prev) return [];
  const out: string[] = [];
  for (const [vs, before] of prev.servers) {
    const reals = next.servers.get(vs);
    if (reals && drains(vs) && [...before].some((r) => !reals.has(r))) out.push(vs);
  }
  return out;
}

/**
 * `ipvsadm -Ln -t|-u VIP:PORT` output -> real server "ip:port" -> its ActiveConn + InActConn,
 * the sum kube-proxy waits to reach 0 (a connection in TIME_WAIT or CLOSE still counts).
 */
export function parseRealServerConnections(out: string): Map<string, number> {
  const conns = new Map<string, number>();
  for (const line of out.split('\n')) {
    const m = /^\s*->\s+(\S+)\s+\S+\s+\d+\s+(\d+)\s+(\d+)\s*$/.exec(line);
    if (m) conns.set(m[1]!, Number(m[2]) + Number(m[3]));
  }
  return conns;
}

/**
 * kube-proxy's periodic pass over its graceful termination list (tryDeleteRs, every minute):
 * a draining real server with no connection left is deleted, one already gone is forgotten.
 * `conns` holds each draining virtual server's connection counts (parseRealServerConnections).
 */
export function renderDrainCheck(snap: IpvsSnapshot, conns: ReadonlyMap<string, ReadonlyMap<string, number>>): { ipvsadm: string; deleted: number } {
  const lines: string[] = [];
  let deleted = 0;
  for (const [vs, reals] of snap.draining) {
    const counts = conns.get(vs);
    for (const r of [...reals]) {
      const n = counts?.get(r);
      if (n === undefined) reals.delete(r);
      else if (n === 0) {
        lines.push(`-d ${vs} -r ${r}`);
        reals.delete(r);
        deleted++;
      }
    }
    if (reals.size === 0) snap.draining.delete(vs);
  }
  return { ipvsadm: lines.length > 0 ? `${lines.join('\n')}\n` : '', deleted };
}

export interface IpvsSync {
  /** `ip -batch` lines for kube-ipvs0 */
  ipBatch: string;
  ipset: string;
  /** `ipvsadm -R` input (never -C); empty when nothing changed */
  ipvsadm: string;
  /** iptables-restore input, on a full sync or when KUBE-CLUSTER-IP's rules come or go */
  iptables?: string;
  rules: number;
  /** `next` with the draining real servers this sync leaves in the kernel: the next sync's `prev` */
  state: IpvsSnapshot;
}

const EMPTY: IpvsSnapshot = { servers: new Map(), draining: new Map(), clusterIP: new Set(), ipvsIPs: new Set(), addresses: new Set() };

/** `ipset restore` lines taking `set` from `old` to `next`; a full sync refills it. */
function setChanges(set: string, old: Set<string>, next: Set<string>, full: boolean): string[] {
  if (full) return [`flush ${set}`, ...[...next].map((e) => `add ${set} ${e}`)];
  return [...[...old].filter((e) => !next.has(e)).map((e) => `del ${set} ${e}`), ...[...next].filter((e) => !old.has(e)).map((e) => `add ${set} ${e}`)];
}

/**
 * The commands taking the kernel from `prev` (undefined: nothing programmed yet) to `next`.
 * IPVS servers are only added and deleted, never rewritten: kube-proxy too compares and leaves an
 * unchanged server alone. A real server whose endpoint left is deleted, unless it is TCP and
 * `busy` names it (it has connections): then it is drained, weight 0, as kube-proxy's
 * GracefulDeleteRS does; an endpoint that comes back while draining is deleted and added anew
 * (MoveRSOutofGracefulDeleteList). A full sync also refills the ipsets, re-adds every
 * kube-ipvs0 address and rewrites the iptables rules; a partial one writes only what differs
 * there too.
 */
export function renderIpvsSync(
  prev: IpvsSnapshot | undefined,
  next: IpvsSnapshot,
  opts: { full: boolean; clusterCIDR?: string; scheduler?: string; jumps?: boolean; busy?: ReadonlySet<string> },
): IpvsSync {
  const sched = opts.scheduler ?? 'rr';
  const full = opts.full || !prev;
  const old = prev ?? EMPTY;
  const draining = new Map<string, Set<string>>();
  const ipvs: string[] = [];
  for (const [vs] of old.servers) if (!next.servers.has(vs)) ipvs.push(`-D ${vs}`);
  for (const [vs, reals] of next.servers) {
    const before = old.servers.get(vs);
    if (!before) {
      ipvs.push(`-A ${vs} -s ${sched}`);
      for (const r of reals) ipvs.push(`-a ${vs} -r ${r} -m -w 1`);
      continue;
    }
    const drain = new Set(old.draining.get(vs));
    for (const r of before) {
      if (reals.has(r)) continue;
      if (drains(vs) && opts.busy?.has(realServerKey(vs, r))) {
        ipvs.push(`-e ${vs} -r ${r} -m -w 0`);
        drain.add(r);
      } else ipvs.push(`-d ${vs} -r ${r}`);
    }
    for (const r of reals) {
      if (before.has(r)) continue;
      if (drain.delete(r)) ipvs.push(`-d ${vs} -r ${r}`);
      ipvs.push(`-a ${vs} -r ${r} -m -w 1`);
    }
    if (drain.size > 0) draining.set(vs, drain);
  }
  const ipset = [
    ...IPVS_SETS.map(createSet),
    ...setChanges('KUBE-CLUSTER-IP', old.clusterIP, next.clusterIP, full),
    ...setChanges('KUBE-IPVS-IPS', old.ipvsIPs, next.ipvsIPs, full),
  ];
  const ip: string[] = [];
  for (const a of next.addresses) if (full || !old.addresses.has(a)) ip.push(`addr replace ${a} dev kube-ipvs0`);
  for (const a of old.addresses) if (!next.addresses.has(a)) ip.push(`addr del ${a} dev kube-ipvs0`);
  const flipped = (old.clusterIP.size > 0) !== (next.clusterIP.size > 0);
  const iptables = full || flipped ? renderIpvsIptables({ clusterIPs: next.clusterIP.size > 0, clusterCIDR: opts.clusterCIDR, jumps: opts.jumps }) : undefined;
  return {
    ipBatch: ip.length > 0 ? `${ip.join('\n')}\n` : '',
    ipset: `${ipset.join('\n')}\n`,
    ipvsadm: ipvs.length > 0 ? `${ipvs.join('\n')}\n` : '',
    iptables,
    rules: next.servers.size,
    state: { ...next, draining },
  };
}

/** A first sync as text (the `rules` explainer, the dry-run): what renderIpvsSync writes, IPVS cleared first. */
export interface IpvsRender {
  ipset: string;
  ipvsadm: string;
  iptables: string;
  /** "10.96.0.1/32" lines for `ip addr add ... dev kube-ipvs0` */
  addresses: string[];
  /** IPVS virtual servers */
  rules: number;
}

export function renderIpvs(ports: readonly ServicePortInfo[], opts: { clusterCIDR?: string; scheduler?: string; jumps?: boolean } = {}): IpvsRender {
  const next = ipvsSnapshot(ports);
  const r = renderIpvsSync(undefined, next, { ...opts, full: true });
  return { ipset: r.ipset, ipvsadm: `-C\n${r.ipvsadm}`, iptables: r.iptables!, addresses: [...next.addresses], rules: r.rules };
}
