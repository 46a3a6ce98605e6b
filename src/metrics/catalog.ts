/** The stable metric names (docs/architecture.md, "Results and metric names"), with unit and which direction is better. */
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
  'host.cpu.steal': g('ratio', 'lower', "share of this machine's CPU time the hypervisor gave to other guests during the variant's workloads (/proc/stat steal): a noisy neighbour, not the system under test"),
  'dns.server.cpu': g('cores', 'lower', 'cluster DNS server CPU during the flood'),
  'dns.server.queries': g('count', 'lower', 'queries the cluster DNS servers answered during the flood'),
  'dns.server.cpu_per_kqps': g('core·s/kq', 'lower', 'DNS server CPU per 1000 queries'),
  'dns.cache.hit_ratio': g('ratio', 'higher', 'node-local cache hit ratio'),
  'dns.capacity.lookups_rate': g('1/s', 'higher', 'highest lookup rate that met the SLO (capacity search)'),
  'dns.capacity.queries_rate': g('1/s', 'higher', 'queries/s the cluster DNS servers saw at the capacity rate'),
  'dns.capacity.server_cpu': g('cores', 'lower', 'cluster DNS CPU at the capacity rate'),
  'dns.capacity.lookups_per_core': g('1/s/core', 'higher', 'lookups/s per cluster DNS core at the capacity rate'),
  'dns.capacity.lookups_per_replica': g('1/s', 'higher', 'capacity lookups/s per cluster DNS replica'),
  'dns.capacity.step.offered': g('1/s', 'higher', 'capacity search: lookups/s offered by the step'),
  'dns.capacity.step.achieved': g('1/s', 'higher', 'capacity search: lookups/s achieved by the step'),
  'dns.capacity.step.p50': g('ms', 'lower', 'capacity search: lookup p50 of the step'),
  'dns.capacity.step.p99': g('ms', 'lower', 'capacity search: lookup p99 of the step (unfinished lookups counted as slower)'),
  'dns.capacity.step.server_cpu': g('cores', 'lower', 'capacity search: cluster DNS CPU during the step'),
  'dns.capacity.step.agent_cpu': g('cores', 'lower', 'capacity search: the load agents\' own CPU during the step'),
  'recreate.old_ip_window': d('ms', 'lower', "Stale answers: per recreated Service, its deletion to the last lookup that still gave its old ClusterIP (0: none did)"),
  'recreate.stale_after_recreate_window': d('ms', 'lower', 'Stale answers: per recreated Service, its recreation to the last lookup that still gave the old ClusterIP (0: none did)'),
  'recreate.new_ip_delay': d('ms', 'lower', 'Stale answers: per recreated Service, its recreation to the first connection through its new ClusterIP'),
  'recreate.attempts.failed': g('count', 'lower', 'Stale answers: lookups + connections begun after the deletion that failed (no answer, NXDOMAIN, timeout, refused)'),
  'recreate.stale_after_recreate': g('count', 'lower', 'Stale answers: lookups after the recreation that gave the old ClusterIP'),
  'recreate.control.failed': g('count', 'lower', 'Stale answers: lookups + connections before the deletion that failed (the harness and node, not the change)'),
  'dns.churn.lookups.failed': g('count', 'lower', 'DNS churn: lookups that failed or timed out during the flood while cluster DNS instances were replaced'),
  'dns.churn.failure_ratio': g('ratio', 'lower', 'DNS churn: failed lookups / lookups during the flood'),
  'dns.churn.error_window': d('ms', 'lower', 'DNS churn: per replaced instance, first to last 100 ms bin with a failed lookup (0: none failed)'),
  'dns.churn.lookup.latency': d('ms', 'lower', 'DNS churn: one lookup during the flood (timeouts and retries included)'),
  'dns.churn.queries.timeouts': g('count', 'lower', 'DNS churn: queries that timed out during the flood'),
  'dns.churn.lookups.delayed': g('count', 'lower', "DNS churn: lookups that waited out a resolver timeout (a query went unanswered in time and was sent again) while cluster DNS instances were replaced"),
  'dns.churn.delay_window': d('ms', 'lower', "DNS churn: per replaced instance, first to last 100 ms bin with a lookup that waited out a resolver timeout (0: none)"),
  'dns.churn.control.lookups.delayed': g('count', 'lower', "DNS churn: lookups that waited out a resolver timeout in the control flood with no change"),
  'timeline.dns.churn.failures': g('count', 'lower', 'DNS churn: failed lookups per 100 ms, by when each began'),
  'timeline.dns.churn.delayed': g('count', 'lower', "DNS churn: lookups per 100 ms (by when each began) that waited out a resolver timeout"),
  'dns.churn.control.lookups.failed': g('count', 'lower', 'DNS churn: failed lookups in the control flood with no change (the harness and node, not the churn)'),
  'dns.churn.conntrack_clear': d('ms', 'lower', "DNS churn: an old DNS pod's endpoint removal to no conntrack entry (IPVS: connection table entry) leading to it on the node"),
  'dns.churn.conntrack_at_removal': g('count', 'lower', 'DNS churn: UDP conntrack entries (IPVS: connection table entries) still leading to an old DNS pod when its endpoint was removed'),
  'dns.churn.new_instance_queries': g('count', 'higher', 'DNS churn: queries the new DNS instances answered (server-side counters)'),
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
  'rollout.latency': d('ms', 'lower', 'rolling update: one answered request through a ClusterIP'),
  'rollout.requests': g('count', 'higher', 'rolling update: requests made under the rollout'),
  'rollout.errors': g('count', 'lower', 'rolling update: failed requests (every kind)'),
  'rollout.error_ratio': g('ratio', 'lower', 'rolling update: failed / all requests'),
  'rollout.errors.refused': g('count', 'lower', 'rolling update: connects answered by a RST'),
  'rollout.errors.reset': g('count', 'lower', 'rolling update: open connections reset'),
  'rollout.errors.closed': g('count', 'lower', 'rolling update: connections closed before an answer'),
  'rollout.errors.timeout': g('count', 'lower', 'rolling update: requests unanswered within the limit'),
  'rollout.errors.unreachable': g('count', 'lower', 'rolling update: ICMP unreachable'),
  'rollout.errors.non2xx': g('count', 'lower', 'rolling update: HTTP error statuses'),
  'rollout.errors.other': g('count', 'lower', 'rolling update: other socket errors'),
  'rollout.agent_stall': g('ms', 'lower', "rolling update: time the HTTP agent itself could not run (a starved or emulated CPU, GC); each request's deadline is extended by the stall it lived through, so this is the harness's, never counted as the cluster's"),
  'rollout.error_window': d('ms', 'lower', 'rolling update, per Service: first to last failed request (0 when none failed)'),
  'rollout.convergence': d('ms', 'lower', 'rolling update, per replaced endpoint: marked terminating to the last request it answered'),
  'timeline.rollout.errors': g('count', 'lower', 'rolling update: failed requests per 100 ms'),
};

export function metricInfo(name: string): MetricInfo {
  return METRICS[name] ?? { unit: '', better: 'lower', kind: 'gauge', description: name };
}
