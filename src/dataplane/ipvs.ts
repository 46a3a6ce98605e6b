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
