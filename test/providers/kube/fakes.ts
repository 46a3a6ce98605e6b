import type { KubernetesObject } from '@kubernetes/client-node';
import { missingTool, type RunOptions, type RunResultText } from '../../../src/core/exec.js';
import type { CommandRunner, RecordedCommand } from '../../../src/providers/kube/command.js';
import type { JobStatus, KubeApi, PodInfo } from '../../../src/providers/kube/kube-api.js';

/** Records every command; `respond` may return output or throw (e.g. missingTool for ENOENT). */
export class RecordingRunner implements CommandRunner {
  readonly calls: RecordedCommand[] = [];
  constructor(private readonly respond: (file: string, args: string[]) => Partial<RunResultText> | void = () => undefined, private readonly missing: string[] = []) {}

  async run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResultText> {
    this.calls.push({ file, args: [...args], ...(opts.input ? { input: opts.input } : {}) });
    if (this.missing.includes(file)) throw missingTool(file);
    const r = this.respond(file, [...args]) ?? {};
    return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', exitCode: r.exitCode ?? 0 };
  }

  lines(): string[] {
    return this.calls.map((c) => [c.file, ...c.args].join(' '));
  }
}

export function pod(name: string, extra: Partial<PodInfo> = {}): PodInfo {
  return { name, namespace: 'kube-system', node: 'n1', ip: '10.244.0.5', ready: true, phase: 'Running', labels: {}, ...extra };
}

/** An in-memory API server: objects by kind/namespace/name, pods and metric texts set by the test. */
export class FakeKubeApi implements KubeApi {
  readonly objects = new Map<string, KubernetesObject>();
  readonly log: string[] = [];
  pods: Record<string, PodInfo[]> = {};
  /** pod proxy responses: key "ns/pod:port/path" -> text or a function called per scrape */
  podProxy: Record<string, string | (() => string)> = {};
  nodeProxy: Record<string, string> = {};
  jobs: Record<string, JobStatus> = {};
  logs: Record<string, string> = {};
  constructor(readonly context = 'kind-test') {}

  private key(o: KubernetesObject): string {
    return `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;
  }
  async apply(obj: KubernetesObject): Promise<void> {
    this.log.push(`apply ${this.key(obj)}`);
    this.objects.set(this.key(obj), structuredClone(obj));
  }
  async remove(obj: KubernetesObject): Promise<void> {
    this.log.push(`remove ${this.key(obj)}`);
    this.objects.delete(this.key(obj));
  }
  async listNamespaces(labelSelector: string): Promise<string[]> {
    const [k, v] = labelSelector.split(',')[0]!.split('=');
    return [...this.objects.values()].filter((o) => o.kind === 'Namespace' && o.metadata?.labels?.[k!] === v).map((o) => o.metadata!.name!);
  }
  async listNodes(): Promise<string[]> {
    return ['n1'];
  }
  /** ClusterIPs of Services not kept in `objects` (the cluster's own, or someone else's) */
  otherClusterIPs: string[] = [];
  async listClusterIPs(): Promise<string[]> {
    const ours = [...this.objects.values()].filter((o) => o.kind === 'Service').map((o) => String((o as { spec?: { clusterIP?: string } }).spec?.clusterIP ?? ''));
    return [...this.otherClusterIPs, ...ours].filter((ip) => ip && ip !== 'None');
  }
  async listPods(namespace: string, labelSelector: string): Promise<PodInfo[]> {
    return this.pods[`${namespace}/${labelSelector}`] ?? [];
  }
  async deletePods(namespace: string, labelSelector: string): Promise<void> {
    this.log.push(`deletePods ${namespace} ${labelSelector}`);
  }
  async jobStatus(namespace: string, name: string): Promise<JobStatus> {
    return this.jobs[`${namespace}/${name}`] ?? { succeeded: 1, failed: 0 };
  }
  async podLog(namespace: string, podName: string): Promise<string> {
    return this.logs[`${namespace}/${podName}`] ?? '';
  }
  async proxyPod(namespace: string, podName: string, port: number, path: string): Promise<string> {
    const r = this.podProxy[`${namespace}/${podName}:${port}/${path}`];
    if (r === undefined) throw Object.assign(new Error('503 no endpoints'), { code: 503 });
    return typeof r === 'function' ? r() : r;
  }
  async proxyNode(node: string, path: string): Promise<string> {
    const r = this.nodeProxy[`${node}/${path}`];
    if (r === undefined) throw Object.assign(new Error('404'), { code: 404 });
    return r;
  }
}

/** kube-proxy /metrics in its real shape: histograms per ip_family, buckets 0.001*2^k. */
export function kubeProxyMetrics(o: { counts: number[]; sum: number; count: number; full?: { sum: number; count: number }; last: number; pending?: number; rules?: number }): string {
  const les = ['0.001', '0.002', '0.004', '0.008', '0.016', '0.032', '0.064', '0.128', '0.256', '0.512', '1.024', '2.048', '4.096', '8.192', '16.384', '+Inf'];
  const lines = [
    '# HELP kubeproxy_sync_proxy_rules_duration_seconds [ALPHA] SyncProxyRules latency in seconds',
    '# TYPE kubeproxy_sync_proxy_rules_duration_seconds histogram',
  ];
  les.forEach((le, i) => lines.push(`kubeproxy_sync_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="${le}"} ${o.counts[Math.min(i, o.counts.length - 1)]}`));
  lines.push(`kubeproxy_sync_proxy_rules_duration_seconds_sum{ip_family="IPv4"} ${o.sum}`, `kubeproxy_sync_proxy_rules_duration_seconds_count{ip_family="IPv4"} ${o.count}`);
  if (o.full) {
    lines.push('# TYPE kubeproxy_sync_full_proxy_rules_duration_seconds histogram');
    lines.push(`kubeproxy_sync_full_proxy_rules_duration_seconds_bucket{ip_family="IPv4",le="+Inf"} ${o.full.count}`);
    lines.push(`kubeproxy_sync_full_proxy_rules_duration_seconds_sum{ip_family="IPv4"} ${o.full.sum}`, `kubeproxy_sync_full_proxy_rules_duration_seconds_count{ip_family="IPv4"} ${o.full.count}`);
  }
  lines.push(`kubeproxy_sync_proxy_rules_last_timestamp_seconds{ip_family="IPv4"} ${o.last}`);
  if (o.pending !== undefined) {
    lines.push(`kubeproxy_sync_proxy_rules_service_changes_pending{ip_family="IPv4"} ${o.pending}`, 'kubeproxy_sync_proxy_rules_endpoint_changes_pending{ip_family="IPv4"} 0');
  }
  if (o.rules !== undefined) lines.push(`kubeproxy_sync_proxy_rules_iptables_total{ip_family="IPv4",table="nat"} ${o.rules}`, 'kubeproxy_sync_proxy_rules_iptables_total{ip_family="IPv4",table="filter"} 7');
  return lines.join('\n') + '\n';
}

