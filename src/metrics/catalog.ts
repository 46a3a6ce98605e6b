/** The stable metric names of DESIGN.md section 5, with unit and which direction is better. */
export type Better = 'lower' | 'higher';
export type MetricKind = 'distribution' | 'gauge';

export interface MetricInfo {
  unit: string;
  better: Better;
  kind: MetricKind;
  description: string;
}

const d = (unit: string, better: Better, description: string): MetricInfo => ({ unit, better, kind: 'distribution', description });
const g = (unit: string, better: Better, description: string): MetricInfo => ({ unit, better, kind: 'gauge', description });

export const METRICS: Record<string, MetricInfo> = {
  'dns.lookup.latency': d('ms', 'lower', 'one application lookup through the resolver'),
  'dns.query.latency': d('ms', 'lower', "one query's round trip"),
  'dns.queries_per_lookup': d('ratio', 'lower', 'amplification by the search list'),
  'dns.lookups.rate': g('1/s', 'higher', 'achieved lookup rate'),
  'dns.queries.rate': g('1/s', 'higher', 'achieved query rate'),
  'dns.lookups.failed': g('count', 'lower', 'failed lookups'),
  'dns.queries.timeouts': g('count', 'lower', 'query timeouts'),
  'dns.server.cpu': g('cores', 'lower', 'cluster DNS server CPU during the flood'),
  'dns.server.queries': g('count', 'lower', 'queries the cluster DNS servers answered during the flood'),
  'dns.server.cpu_per_kqps': g('core·s/kq', 'lower', 'DNS server CPU per 1000 queries'),
  'dns.cache.hit_ratio': g('ratio', 'higher', 'node-local cache hit ratio'),
  'proxy.sync.duration': d('ms', 'lower', 'one full rule sync'),
  'proxy.sync.partial.duration': d('ms', 'lower', 'one sync after a single-Service change'),
  'proxy.programming.latency': d('ms', 'lower', 'Service created to first TCP connect through its ClusterIP'),
  'proxy.rules': g('count', 'lower', 'iptables rules / nft map elements / IPVS virtual servers'),
  'tcp.connect.latency': d('ms', 'lower', 'new TCP connection through a ClusterIP'),
  'tcp.connect.failed': g('count', 'lower', 'TCP connects that failed or timed out'),
  'http.latency': d('ms', 'lower', 'HTTP request through a ClusterIP'),
  'http.rps': g('1/s', 'higher', 'HTTP requests per second'),
  'http.errors': g('count', 'lower', 'HTTP errors and timeouts'),
  'proxy.cpu': g('cores', 'lower', 'kube-proxy / Cilium agent CPU'),
};

export function metricInfo(name: string): MetricInfo {
  return METRICS[name] ?? { unit: '', better: 'lower', kind: 'gauge', description: name };
}
