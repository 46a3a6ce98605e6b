import type { ServicePortInfo } from './service-ports.js';
import { JUMP_RULES, MASQ_MARK, jumpRuleArgs } from './iptables.js';

/**
 * kube-proxy's IPVS layout (pkg/proxy/ipvs/proxier.go): every ClusterIP is an address of the
 * dummy link kube-ipvs0, one IPVS virtual server per ClusterIP:port (scheduler rr, masquerading
 * real servers), and iptables rules that match the ipset KUBE-CLUSTER-IP instead of one rule
 * per Service. Rendered as the inputs of `ipset restore`, `ipvsadm-restore` and
 * `iptables-restore`, plus the address list of kube-ipvs0.
 */
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
  const sched = opts.scheduler ?? 'rr';
  const ipset: string[] = [
    'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
    'create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536',
    'flush KUBE-CLUSTER-IP',
    'flush KUBE-LOOP-BACK',
  ];
  const ipvs: string[] = ['-C'];
  const addrs = new Set<string>();
  const loop = new Set<string>();
  let servers = 0;
  for (const sp of ports) {
    const flag = sp.protocol === 'udp' ? '-u' : '-t';
    const vs = `${sp.clusterIP}:${sp.port}`;
    addrs.add(`${sp.clusterIP}/32`);
    ipset.push(`add KUBE-CLUSTER-IP ${sp.clusterIP},${sp.protocol}:${sp.port}`);
    ipvs.push(`-A ${flag} ${vs} -s ${sched}`);
    servers++;
    for (const ep of sp.endpoints) {
      ipvs.push(`-a ${flag} ${vs} -r ${ep.hostPort} -m -w 1`);
      const lb = `${ep.ip},${sp.protocol}:${ep.port},${ep.ip}`;
      if (!loop.has(lb)) {
        loop.add(lb);
        ipset.push(`add KUBE-LOOP-BACK ${lb}`);
      }
    }
  }
  const masqSrc = opts.clusterCIDR ? `! -s ${opts.clusterCIDR} ` : '';
  const iptables = [
    '*nat',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-POSTROUTING - [0:0]',
    ':KUBE-NODE-PORT - [0:0]',
    ':KUBE-LOAD-BALANCER - [0:0]',
    ':KUBE-MARK-MASQ - [0:0]',
    '-A KUBE-POSTROUTING -m comment --comment "Kubernetes endpoints dst ip:port, source ip for solving hairpin purpose" -m set --match-set KUBE-LOOP-BACK dst,dst,src -j MASQUERADE',
    `-A KUBE-POSTROUTING -m mark ! --mark ${MASQ_MARK}/${MASQ_MARK} -j RETURN`,
    `-A KUBE-POSTROUTING -j MARK --xor-mark ${MASQ_MARK}`,
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
    `-A KUBE-MARK-MASQ -j MARK --or-mark ${MASQ_MARK}`,
    `-A KUBE-SERVICES ${masqSrc}-m comment --comment "Kubernetes service cluster ip + port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ`,
    '-A KUBE-SERVICES -m addrtype --dst-type LOCAL -j KUBE-NODE-PORT',
    '-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT',
    // the nat jumps from the built-in chains, as in iptables mode (first sync only)
    ...(opts.jumps ? JUMP_RULES.filter(([table]) => table === 'nat').map(([, from, to, comment, extra]) => `-I ${jumpRuleArgs(from, to, comment, extra)}`) : []),
    'COMMIT',
    '',
  ].join('\n');
  return { ipset: `${ipset.join('\n')}\n`, ipvsadm: `${ipvs.join('\n')}\n`, iptables, addresses: [...addrs], rules: servers };
}

/**
 * What kube-proxy's IPVS proxier has programmed, as sets, so the next sync writes only the
 * difference: kube-proxy never clears IPVS, it adds, edits and deletes virtual and real servers
 * one by one (syncService, syncEndpoint, cleanLegacyService), which keeps every unchanged
 * server's connections and counters.
 */
export interface IpvsSnapshot {
  /** "-t 10.96.0.1:443" -> real servers "10.244.64.1:8080" */
  servers: Map<string, Set<string>>;
  clusterIP: Set<string>;
  loopBack: Set<string>;
  /** "10.96.0.1/32" on kube-ipvs0 */
  addresses: Set<string>;
}

export function ipvsSnapshot(ports: readonly ServicePortInfo[]): IpvsSnapshot {
  const snap: IpvsSnapshot = { servers: new Map(), clusterIP: new Set(), loopBack: new Set(), addresses: new Set() };
  for (const sp of ports) {
    const vs = `${sp.protocol === 'udp' ? '-u' : '-t'} ${sp.clusterIP}:${sp.port}`;
    snap.addresses.add(`${sp.clusterIP}/32`);
    snap.clusterIP.add(`${sp.clusterIP},${sp.protocol}:${sp.port}`);
    const reals = new Set<string>();
    for (const ep of sp.endpoints) {
      reals.add(ep.hostPort);
      snap.loopBack.add(`${ep.ip},${sp.protocol}:${ep.port},${ep.ip}`);
    }
    snap.servers.set(vs, reals);
  }
  return snap;
}

export interface IpvsSync {
  /** `ip -batch` lines for kube-ipvs0 */
  ipBatch: string;
  ipset: string;
  /** `ipvsadm -R` input (never -C); empty when nothing changed */
  ipvsadm: string;
  /** iptables-restore input, on a full sync only */
  iptables?: string;
  rules: number;
}

/**
 * The commands taking the kernel from `prev` (undefined: nothing programmed yet) to `next`.
 * IPVS servers are only added and deleted, never rewritten: kube-proxy too compares and leaves an
 * unchanged server alone. A full sync also refills the ipsets, re-adds every kube-ipvs0 address and rewrites
 * the iptables rules; a partial one writes only what differs there too.
 */
export function renderIpvsSync(prev: IpvsSnapshot | undefined, next: IpvsSnapshot, opts: { full: boolean; clusterCIDR?: string; scheduler?: string; jumps?: boolean }): IpvsSync {
  const sched = opts.scheduler ?? 'rr';
  const full = opts.full || !prev;
  const old: IpvsSnapshot = prev ?? { servers: new Map(), clusterIP: new Set(), loopBack: new Set(), addresses: new Set() };
  const ipvs: string[] = [];
  for (const [vs] of old.servers) if (!next.servers.has(vs)) ipvs.push(`-D ${vs}`);
  for (const [vs, reals] of next.servers) {
    const before = old.servers.get(vs);
    if (!before) {
      ipvs.push(`-A ${vs} -s ${sched}`);
      for (const r of reals) ipvs.push(`-a ${vs} -r ${r} -m -w 1`);
      continue;
    }
    for (const r of before) if (!reals.has(r)) ipvs.push(`-d ${vs} -r ${r}`);
    for (const r of reals) if (!before.has(r)) ipvs.push(`-a ${vs} -r ${r} -m -w 1`);
  }
  const ipset: string[] = [
    'create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536',
    'create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536',
  ];
  const ip: string[] = [];
  if (full) {
    ipset.push('flush KUBE-CLUSTER-IP', 'flush KUBE-LOOP-BACK');
    for (const e of next.clusterIP) ipset.push(`add KUBE-CLUSTER-IP ${e}`);
    for (const e of next.loopBack) ipset.push(`add KUBE-LOOP-BACK ${e}`);
    for (const a of next.addresses) ip.push(`addr replace ${a} dev kube-ipvs0`);
  } else {
    for (const e of old.clusterIP) if (!next.clusterIP.has(e)) ipset.push(`del KUBE-CLUSTER-IP ${e}`);
    for (const e of next.clusterIP) if (!old.clusterIP.has(e)) ipset.push(`add KUBE-CLUSTER-IP ${e}`);
    for (const e of old.loopBack) if (!next.loopBack.has(e)) ipset.push(`del KUBE-LOOP-BACK ${e}`);
    for (const e of next.loopBack) if (!old.loopBack.has(e)) ipset.push(`add KUBE-LOOP-BACK ${e}`);
    for (const a of next.addresses) if (!old.addresses.has(a)) ip.push(`addr replace ${a} dev kube-ipvs0`);
  }
  for (const a of old.addresses) if (!next.addresses.has(a)) ip.push(`addr del ${a} dev kube-ipvs0`);
  const iptables = full ? renderIpvs([], { clusterCIDR: opts.clusterCIDR, jumps: opts.jumps }).iptables : undefined;
  return {
    ipBatch: ip.length > 0 ? `${ip.join('\n')}\n` : '',
    ipset: `${ipset.join('\n')}\n`,
    ipvsadm: ipvs.length > 0 ? `${ipvs.join('\n')}\n` : '',
    iptables,
    rules: next.servers.size,
  };
}
