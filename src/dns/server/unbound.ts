import { join } from 'node:path';
import type { ClusterState } from '../../model/cluster.js';
import { fqdn } from './zone.js';
import { REVERSE_ZONE } from './zonefile.js';

/**
 * Unbound configurations for the local provider: the cluster DNS (CoreDNS's job in a cluster) and
 * the NodeLocal DNSCache stand-in. Unbound is used because it is packaged everywhere, answers
 * local-data at line rate, and reports per-server statistics through unbound-control.
 */

/** CoreDNS's `cache 30` caps positive and negative TTLs at 30 s. */
export const CLUSTER_CACHE_TTL = 30;
/** node-cache's Corefile: `cache { success 9984 30; denial 9984 5 }`. */
export const NODELOCAL_SUCCESS_TTL = 30;
export const NODELOCAL_DENIAL_TTL = 5;

export interface UnboundCommon {
  /** addresses to bind (each on `port`) */
  listen: string[];
  port?: number;
  /** unix socket unbound-control talks to */
  controlSocket: string;
  pidFile: string;
  threads?: number;
  /** one stderr line per reply (`IP name. TYPE IN RCODE time ...`): which queries a client really sent */
  logReplies?: boolean;
}

export interface ClusterUnboundOptions extends UnboundCommon {
  /** `IP` or `IP@PORT` of the stand-in internet DNS; everything outside the cluster zone goes there */
  upstream: string;
  /** directory holding the zone files (clusterZonePaths); write them with writeClusterZones */
  zoneDir: string;
}

/** Where the cluster and reverse zone files of a cluster unbound live. */
export function clusterZonePaths(zoneDir: string): { forward: string; reverse: string } {
  return { forward: join(zoneDir, 'cluster.zone'), reverse: join(zoneDir, 'reverse.zone') };
}

export interface NodeLocalUnboundOptions extends UnboundCommon {
  /**
   * where cluster.local and the reverse zones go, over TCP (`IP` or `IP@PORT`). node-cache uses
   * the kube-dns-upstream Service's ClusterIP: when the cache also binds the kube-dns ClusterIP
   * (iptables mode), that address is local and would loop back to the cache itself.
   */
  clusterDns: string;
  /** everything else (node-cache's `.:53` block forwards to the node's resolvers) */
  upstream: string;
}

const q = (s: string): string => `"${s}"`;

/** Accepts `IP`, `IP:PORT` or `IP@PORT`; unbound wants `IP@PORT`. */
export function unboundAddr(addr: string, defaultPort = 53): string {
  const m = /^([0-9.]+)(?:[:@](\d+))?$/.exec(addr.trim());
  if (!m) throw new Error(`not an IPv4 address with optional port: ${addr}`);
  return `${m[1]}@${m[2] ?? defaultPort}`;
}

/**
 * Server settings both roles share: foreground, no chroot/privilege drop (namespaces are the
 * sandbox), log to stderr, no DNSSEC (nothing here is signed), and query capacity for floods.
 */
function serverHead(o: UnboundCommon): string[] {
  const port = o.port ?? 53;
  const threads = o.threads ?? 1;
  return [
    'server:',
    ...o.listen.map((ip) => `  interface: ${ip}@${port}`),
    `  port: ${port}`,
    '  do-ip4: yes',
    '  do-ip6: no',
    '  do-udp: yes',
    '  do-tcp: yes',
    '  access-control: 0.0.0.0/0 allow',
    '  chroot: ""',
    '  username: ""',
    '  directory: "/"',
    '  do-daemonize: no',
    '  use-syslog: no',
    '  logfile: ""',
    '  verbosity: 0',
    '  log-queries: no',
    `  log-replies: ${o.logReplies ? 'yes' : 'no'}`,
    `  pidfile: ${q(o.pidFile)}`,
    `  num-threads: ${threads}`,
    // so-reuseport spreads one port's packets over the threads, as CoreDNS's goroutines would
    `  so-reuseport: ${threads > 1 ? 'yes' : 'no'}`,
    '  module-config: "iterator"',
    '  trust-anchor-signaling: no',
    '  qname-minimisation: no',
    '  do-not-query-localhost: no',
    '  num-queries-per-thread: 4096',
    '  outgoing-range: 8192',
    '  incoming-num-tcp: 256',
    '  outgoing-num-tcp: 256',
    '  minimal-responses: yes',
    // CoreDNS's loadbalance plugin shuffles A records; rrset-roundrobin is unbound's equivalent
    '  rrset-roundrobin: yes',
    '  extended-statistics: yes',
    '  statistics-interval: 0',
    '  statistics-cumulative: no',
    '  msg-cache-size: 32m',
    '  rrset-cache-size: 64m',
  ];
}

/** remote-control over a unix socket: no certificates, reachable from any namespace via the file system. */
export function renderControlSection(controlSocket: string): string[] {
  return ['remote-control:', '  control-enable: yes', `  control-interface: ${q(controlSocket)}`, '  control-use-cert: no'];
}

/** Minimal conf for `unbound-control -c`: it only needs where the control socket is. */
export function renderControlConf(controlSocket: string): string {
  return [...renderControlSection(controlSocket), ''].join('\n');
}

/**
 * Cluster DNS: the cluster zone and the reverse zone served from zone files, everything else
 * forwarded to the upstream stand-in.
 *
 * Why auth-zones and not local-data: local-data answers an ExternalName CNAME without chasing it,
 * so clients (glibc does not chase either) would get no address. An auth-zone `for-upstream`
 * makes the iterator treat the zone as fetched data: CNAMEs out of the zone are followed through
 * the forward, answers land in the cache, and NXDOMAIN carries the zone's SOA. A forward-zone "."
 * would win over the auth-zone, so each zone also gets a stub-zone, which punches a hole in the
 * forward; the stub's address is never contacted (the auth-zone answers, fallback disabled).
 * unblock-lan-zones stops unbound's built-in RFC 1918 reverse zones (10.in-addr.arpa) from
 * shadowing our PTR records.
 */
export function renderClusterUnbound(state: ClusterState, opts: ClusterUnboundOptions): string {
  const paths = clusterZonePaths(opts.zoneDir);
  const zones: [string, string][] = [[fqdn(state.clusterDomain), paths.forward], [REVERSE_ZONE, paths.reverse]];
  const lines = [
    ...serverHead(opts),
    `  cache-max-ttl: ${CLUSTER_CACHE_TTL}`,
    `  cache-max-negative-ttl: ${CLUSTER_CACHE_TTL}`,
    '  unblock-lan-zones: yes',
    '  insecure-lan-zones: yes',
    '  local-zone: "ip6.arpa." static',
    ...renderControlSection(opts.controlSocket),
    ...zones.flatMap(([name, file]) => [
      'auth-zone:',
      `  name: ${q(name)}`,
      `  zonefile: ${q(file)}`,
      '  for-downstream: no',
      '  for-upstream: yes',
      '  fallback-enabled: no',
      'stub-zone:',
      `  name: ${q(name)}`,
      '  stub-addr: 127.0.0.1@1',
      '  stub-prime: no',
    ]),
    'forward-zone:',
    '  name: "."',
    `  forward-addr: ${unboundAddr(opts.upstream)}`,
    '  forward-first: no',
    '',
  ];
  return lines.join('\n');
}

/**
 * NodeLocal DNSCache stand-in, after node-cache's Corefile: cluster zone and reverse zones go to
 * the cluster DNS over TCP (`force_tcp`), the rest to the upstream; positive answers cached 30 s,
 * negative 5 s. unblock-lan-zones stops unbound's built-in RFC 1918 reverse zones from answering
 * for 10.in-addr.arpa itself instead of forwarding it.
 */
export function renderNodeLocalUnbound(opts: NodeLocalUnboundOptions & { clusterDomain?: string }): string {
  const cluster = unboundAddr(opts.clusterDns);
  const fwd = (zone: string, addr: string, tcp: boolean): string[] => [
    'forward-zone:',
    `  name: ${q(zone)}`,
    `  forward-addr: ${addr}`,
    `  forward-tcp-upstream: ${tcp ? 'yes' : 'no'}`,
    '  forward-first: no',
  ];
  const lines = [
    ...serverHead(opts),
    `  cache-max-ttl: ${NODELOCAL_SUCCESS_TTL}`,
    `  cache-max-negative-ttl: ${NODELOCAL_DENIAL_TTL}`,
    '  unblock-lan-zones: yes',
    '  insecure-lan-zones: yes',
    ...renderControlSection(opts.controlSocket),
    ...fwd(fqdn(opts.clusterDomain ?? 'cluster.local'), cluster, true),
    ...fwd('in-addr.arpa.', cluster, true),
    ...fwd('ip6.arpa.', cluster, true),
    ...fwd('.', unboundAddr(opts.upstream), false),
    '',
  ];
  return lines.join('\n');
}

/**
 * node-cache's iptables rules for each local IP (kubernetes/dns cmd/node-cache/app/cache_app.go),
 * as `iptables-restore --noflush` input: DNS to and from the cache skips conntrack (raw NOTRACK),
 * so a flood cannot fill the conntrack table or race its UDP entries, and the filter ACCEPTs let
 * those untracked packets through. node-cache prepends each rule (-I); the order is kept.
 */
export function nodeLocalNotrackRules(localIPs: string[], opts: { port?: number; healthPort?: number } = {}): string {
  const port = opts.port ?? 53;
  const health = opts.healthPort ?? 8080;
  const raw: string[] = [];
  const filter: string[] = [];
  for (const ip of localIPs) {
    for (const proto of ['tcp', 'udp']) raw.push(`-I PREROUTING -p ${proto} -d ${ip} --dport ${port} -j NOTRACK`);
    for (const proto of ['tcp', 'udp']) filter.push(`-I INPUT -p ${proto} -d ${ip} --dport ${port} -j ACCEPT`);
    for (const proto of ['tcp', 'udp']) raw.push(`-I OUTPUT -p ${proto} -s ${ip} --sport ${port} -j NOTRACK`);
    for (const proto of ['tcp', 'udp']) filter.push(`-I OUTPUT -p ${proto} -s ${ip} --sport ${port} -j ACCEPT`);
    for (const proto of ['tcp', 'udp']) raw.push(`-I OUTPUT -p ${proto} -d ${ip} --dport ${port} -j NOTRACK`);
    raw.push(`-I OUTPUT -p tcp -d ${ip} --dport ${health} -j NOTRACK`);
    raw.push(`-I OUTPUT -p tcp -s ${ip} --sport ${health} -j NOTRACK`);
  }
  return ['*raw', ...raw, 'COMMIT', '*filter', ...filter, 'COMMIT', ''].join('\n');
}
