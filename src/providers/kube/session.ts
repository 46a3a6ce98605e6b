import { MeasurementError } from '../../core/errors.js';
import type { AgentOutput } from '../../metrics/agent-output.js';
import type { ClusterState, Service } from '../../model/cluster.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { AgentRequest, ProviderSample, SyncReport } from '../provider.js';
import { runAgentJob } from './agent-job.js';
import type { CommandRunner } from './command.js';
import { sleep } from './concurrency.js';
import type { KubeApi, PodInfo } from './kube-api.js';
import { isClusterOwned, type ObjectContext } from './objects.js';
import { ServiceWriter } from './service-writer.js';

export { API_CONCURRENCY, explainApplyError } from './service-writer.js';
import { parsePrometheus, sumOf } from './prom.js';
import { ciliumFrontends, ciliumHolds, expectedFrontends } from './cilium-datapath.js';
import { ciliumSnapshot, kubeProxyCaughtUp, kubeProxySnapshot, slowest, syncBetween, type ProxySnapshot, type SyncFigure } from './proxy-metrics.js';
import { containerCpuSeconds, type ContainerRef, type CpuReading } from './resource-metrics.js';


export const KUBE_PROXY_PORT = 10249;
export const CILIUM_PORT = 9962;
export const COREDNS_PORT = 9153;
export const NODE_LOCAL_PORT = 9253;

export interface SessionOptions {
  api: KubeApi;
  /** runs kubectl (scaling and waiting on the backend) */
  runner: CommandRunner;
  runId: string;
  /** namespace of the backend and the upstream stand-in */
  runNamespace: string;
  /** namespace the agent Jobs run in (their resolv.conf search list starts with it) */
  agentNamespace: string;
  /** where a model Service lands: kind keeps the model's namespaces, existing puts all in one */
  namespaceOf(svc: Service): string;
  /** kind creates the model's namespaces; existing has only its run namespace */
  createNamespaces: boolean;
  cluster: ClusterConfig;
  image: string;
  log(message: string): void;
  /** counts the programmed rules when kube-proxy's metrics don't (nftables, IPVS, Cilium) */
  countRules?: () => Promise<number | undefined>;
  /**
   * take proxy.rules from kube-proxy's iptables rule counter: kind in iptables mode; existing,
   * whose mode is unknown, whenever kube-proxy reports the counter (it does in iptables mode only)
   */
  rulesFromMetrics?: boolean;
  /**
   * time a full sync by restarting kube-proxy (its first sync programs everything): fine on a
   * cluster of our own (kind), not on someone else's (existing), where the syncs that follow
   * the writes are timed instead
   */
  restartProxyForFullSync?: boolean;
  /** who programs Services: kind knows from the scenario; existing finds out from the cluster */
  proxyKind?: 'kube-proxy' | 'cilium';
  /**
   * CPU of containers on a node read live (kind: `crictl stats` in the node container); without
   * it the kubelet's cached resource metrics are used, with their own timestamps
   */
  readNodeCpu?: (node: string) => Promise<(refs: readonly ContainerRef[]) => CpuReading>;
  /** poll interval while waiting for the data plane (tests shorten it) */
  pollMs?: number;
  /** give up waiting for the data plane after this long */
  programTimeoutMs?: number;
}

/**
 * The Kubernetes half shared by the kind and existing providers: Services and EndpointSlices
 * through the API, agents as Jobs, metrics through the API server proxy.
 */
export class KubeSession {
  private readonly writer: ServiceWriter;
  private backendIPs: string[] = [];
  private backendReplicas = 0;
  private agentSeq = 0;

  private readonly cilium: boolean;

  constructor(private readonly o: SessionOptions) {
    this.writer = new ServiceWriter({ api: o.api, runId: o.runId, createNamespaces: o.createNamespaces });
    this.cilium = (o.proxyKind ?? (o.cluster.proxy === 'cilium' ? 'cilium' : 'kube-proxy')) === 'cilium';
  }

  private kubectl(args: string[]): Promise<unknown> {
    return this.o.runner.run('kubectl', ['--context', this.o.api.context, ...args]);
  }

  /** Scales the backend so a Service's endpoints are distinct pods, then learns their IPs. */
  async ensureBackends(endpointsPerService: number): Promise<string[]> {
    const want = Math.min(64, Math.max(this.o.cluster.backends, endpointsPerService));
    if (want !== this.backendReplicas || this.backendIPs.length === 0) {
      await this.kubectl(['-n', this.o.runNamespace, 'scale', 'deployment/disco-backend', `--replicas=${want}`]);
      await this.kubectl(['-n', this.o.runNamespace, 'rollout', 'status', 'deployment/disco-backend', '--timeout=5m']);
      const pods = (await this.o.api.listPods(this.o.runNamespace, 'app=disco-backend')).filter((p) => p.ready && p.ip);
      if (pods.length === 0) throw new MeasurementError('no ready backend pods', `kubectl -n ${this.o.runNamespace} describe deployment disco-backend`);
      this.backendIPs = pods.map((p) => p.ip).sort();
      this.backendReplicas = want;
      if (endpointsPerService > pods.length) this.o.log(`kube: ${endpointsPerService} endpoints per Service share ${pods.length} backend pods; kube-proxy programs distinct pod IPs only`);
    }
    return this.backendIPs;
  }

  async applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    const services = state.services.filter((s) => !isClusterOwned(s));
    const maxEndpoints = Math.max(1, ...services.map((s) => s.endpoints.length));
    const ctx: ObjectContext = { runId: this.o.runId, namespaceOf: this.o.namespaceOf, backendIPs: await this.ensureBackends(maxEndpoints) };
    const before = await this.scrapeProxies();
    const { changed, removed, changedObjects, removedObjects, proxiedChanges, writtenAt } = await this.writer.write(services, ctx, opts);
    this.o.log(`kube: ${changed} Services written, ${removed} deleted; waiting for the data plane`);

    let figure: SyncFigure | undefined;
    if (this.cilium && (proxiedChanges > 0 || opts.full)) {
      // time the datapath directly: until every agent holds every changed frontend
      const want = expectedFrontends(changedObjects);
      const gone = [...expectedFrontends(removedObjects).keys()];
      figure = await this.waitCiliumDatapath(want, gone, writtenAt);
    } else if (proxiedChanges === 0 && !opts.full) {
      // nothing the proxy programs changed (ExternalName, headless): no sync to wait for or time
      this.o.log('kube: no proxied Service changed; no sync to time');
    } else if (before.size === 0) {
      // e.g. kube-proxy's metrics bound to 127.0.0.1 (the default outside kind's config here)
      this.o.log(`kube: no ${this.cilium ? 'Cilium agent' : 'kube-proxy'} metrics reachable through the API server; sync time not measured`);
    } else {
      let after = await this.waitKubeProxy(writtenAt, before.size);
      if (opts.full && this.o.restartProxyForFullSync) {
        // A full sync on demand: a restarted kube-proxy programs every Service in its first sync.
        const restartedAt = Date.now() / 1000;
        await this.kubectl(['-n', 'kube-system', 'delete', 'pod', '-l', 'k8s-app=kube-proxy', '--wait=true']);
        after = await this.waitKubeProxy(restartedAt, before.size, new Set(before.keys()));
        figure = slowest(after.map((a) => syncBetween(undefined, a, 'full')));
      } else {
        figure = slowest(after.map((a) => syncBetween(before.get(a.pod), a, opts.full ? 'full' : 'partial')));
      }
    }
    if (figure) this.o.log(`kube: sync ${figure.durationMs.toFixed(1)} ms (${figure.source === 'cilium' ? `Cilium datapath polled, resolution ${figure.maxBoundMs} ms` : `${figure.source}, ${figure.syncs} sync(s)`})`);
    else this.o.log('kube: the proxy reported no sync duration for this change; none recorded');
    const rules = await this.countRules();
    return { kind: opts.full ? 'full' : 'partial', durationMs: figure?.durationMs ?? Number.NaN, rules: rules ?? Number.NaN };
  }

  private async countRules(): Promise<number | undefined> {
    if (!this.cilium && (this.o.rulesFromMetrics ?? this.o.cluster.proxy === 'iptables')) {
      const snaps = [...(await this.scrapeProxies()).values()];
      const n = snaps.map((s) => s.iptablesRules).filter((x): x is number => x !== undefined);
      if (n.length) return Math.max(...n);
    }
    return this.o.countRules ? this.o.countRules().catch(() => undefined) : undefined;
  }

  private async proxyPods(): Promise<PodInfo[]> {
    const selector = this.cilium ? 'k8s-app=cilium' : 'k8s-app=kube-proxy';
    return (await this.o.api.listPods('kube-system', selector)).filter((p) => p.phase === 'Running');
  }

  /** One snapshot per running proxy pod; a pod that cannot be scraped right now is left out. */
  async scrapeProxies(): Promise<Map<string, ProxySnapshot>> {
    const cilium = this.cilium;
    const out = new Map<string, ProxySnapshot>();
    for (const pod of await this.proxyPods()) {
      try {
        const text = await this.o.api.proxyPod('kube-system', pod.name, cilium ? CILIUM_PORT : KUBE_PROXY_PORT, 'metrics');
        out.set(pod.name, cilium ? ciliumSnapshot(pod.name, text) : kubeProxySnapshot(pod.name, text));
      } catch {
        /* restarting or not yet serving: the wait loops poll again */
      }
    }
    return out;
  }

  /** Until every kube-proxy (`pods` of them, none of `oldPods`) has synced after `since`. */
  private async waitKubeProxy(since: number, pods: number, oldPods = new Set<string>()): Promise<ProxySnapshot[]> {
    const deadline = Date.now() + (this.o.programTimeoutMs ?? 15 * 60_000);
    for (;;) {
      const snaps = [...(await this.scrapeProxies()).values()].filter((s) => !oldPods.has(s.pod));
      if (snaps.length >= Math.max(1, pods) && snaps.every((s) => kubeProxyCaughtUp(s, since))) return snaps;
      if (Date.now() > deadline) throw new MeasurementError('kube-proxy did not program the Services in time', 'kubectl -n kube-system logs -l k8s-app=kube-proxy');
      await sleep(this.o.pollMs ?? 500);
    }
  }

  /**
   * Until every Cilium agent's service table holds `want` (frontend -> backends) and none of
   * `gone`: the time from the last API write to the first poll that finds it everywhere. Its
   * resolution is one poll round (an exec per agent), reported as the figure's maxBoundMs.
   */
  private async waitCiliumDatapath(want: ReadonlyMap<string, number>, gone: readonly string[], writtenAt: number): Promise<SyncFigure> {
    const deadline = Date.now() + (this.o.programTimeoutMs ?? 15 * 60_000);
    for (;;) {
      const roundStart = Date.now();
      const pods = await this.proxyPods();
      let all = pods.length > 0;
      for (const pod of pods) {
        if (!all) break;
        const out = await this.o.runner.run('kubectl', ['--context', this.o.api.context, '-n', 'kube-system', 'exec', pod.name, '-c', 'cilium-agent', '--', 'cilium-dbg', 'service', 'list', '-o', 'json']);
        all = ciliumHolds(ciliumFrontends(out.stdout), want, gone);
      }
      const now = Date.now();
      if (all) return { durationMs: Math.max(0, now - writtenAt * 1000), syncs: 1, source: 'cilium', maxBoundMs: now - roundStart };
      if (now > deadline) throw new MeasurementError('Cilium did not program the Services in time', 'kubectl -n kube-system exec ds/cilium -- cilium-dbg service list');
      await sleep(this.o.pollMs ?? 200);
    }
  }

  async runAgent(req: AgentRequest): Promise<AgentOutput> {
    const name = `agent-${req.agent}-${++this.agentSeq}-c${req.client}`;
    const ns = this.o.agentNamespace;
    if (this.o.createNamespaces) await this.writer.ensureNamespace(ns);
    return runAgentJob(this.o.api, { name, namespace: ns, runId: this.o.runId, image: this.o.image, req });
  }

  /** Cumulative CPU of CoreDNS and the proxy from the kubelets, DNS counters from the servers. */
  async sample(): Promise<ProviderSample> {
    const time = Date.now();
    const dnsPods = await this.o.api.listPods('kube-system', 'k8s-app=kube-dns');
    const proxyPods = await this.proxyPods();
    const proxyContainer = this.cilium ? 'cilium-agent' : 'kube-proxy';
    const dnsRefs: ContainerRef[] = dnsPods.map((p) => ({ namespace: 'kube-system', pod: p.name, container: 'coredns' }));
    const proxyRefs: ContainerRef[] = proxyPods.map((p) => ({ namespace: 'kube-system', pod: p.name, container: proxyContainer }));
    const nodes = [...new Set([...dnsPods, ...proxyPods].map((p) => p.node).filter(Boolean))];
    let dnsCpu = 0;
    let dnsFound = 0;
    let proxyCpu = 0;
    let proxyFound = 0;
    const stamps: number[] = [];
    const refs = [...dnsRefs, ...proxyRefs];
    for (const node of nodes) {
      let read: (r: readonly ContainerRef[]) => CpuReading;
      if (this.o.readNodeCpu) {
        read = await this.o.readNodeCpu(node);
      } else {
        const text = await this.o.api.proxyNode(node, 'metrics/resource');
        read = (r) => containerCpuSeconds(text, r);
      }
      const d = read(dnsRefs);
      const p = read(proxyRefs);
      dnsCpu += d.seconds;
      dnsFound += d.found;
      proxyCpu += p.seconds;
      proxyFound += p.found;
      const all = read(refs);
      if (all.timeMs !== undefined) stamps.push(all.timeMs);
    }
    if (dnsFound === 0) throw new MeasurementError('no CoreDNS CPU on the nodes', this.o.readNodeCpu ? 'crictl stats on the node' : 'kubectl get --raw /api/v1/nodes/NODE/proxy/metrics/resource');
    const sample: ProviderSample = { time, dnsServerCpuSeconds: dnsCpu, ...(proxyFound ? { proxyCpuSeconds: proxyCpu } : {}) };
    if (stamps.length) sample.cpuTime = Math.round(stamps.reduce((a, b) => a + b, 0) / stamps.length);
    const queries = await this.sumOverPods(dnsPods, COREDNS_PORT, 'coredns_dns_requests_total');
    if (queries !== undefined) sample.dnsServerQueries = queries;
    if (this.o.cluster.nodeLocalDNS) {
      const cachePods = await this.o.api.listPods('kube-system', 'k8s-app=node-local-dns');
      const hits = await this.sumOverPods(cachePods, NODE_LOCAL_PORT, 'coredns_cache_hits_total');
      const misses = await this.sumOverPods(cachePods, NODE_LOCAL_PORT, 'coredns_cache_misses_total');
      if (hits !== undefined) sample.cacheHits = hits;
      if (misses !== undefined) sample.cacheMisses = misses;
    }
    return sample;
  }

  private async sumOverPods(pods: PodInfo[], port: number, metric: string): Promise<number | undefined> {
    let total: number | undefined;
    for (const pod of pods) {
      const v = sumOf(parsePrometheus(await this.o.api.proxyPod(pod.namespace || 'kube-system', pod.name, port, 'metrics')), metric);
      if (v !== undefined) total = (total ?? 0) + v;
    }
    return total;
  }
}
