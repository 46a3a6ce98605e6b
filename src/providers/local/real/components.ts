import { join } from 'node:path';
import { MeasurementError } from '../../../core/errors.js';
import { run } from '../../../core/exec.js';
import { processCpuSeconds } from '../../../dns/server/process.js';
import { KUBE_DNS_IP } from '../../../model/addressing.js';
import type { ClusterState, Endpoint } from '../../../model/cluster.js';
import type { ClusterConfig } from '../../../scenario/schema.js';
import type { ClusterInfo, DnsInstances, ProviderSample, SyncReport } from '../../provider.js';
import { sleep } from '../../kube/concurrency.js';
import { runLabels } from '../../kube/labels.js';
import { kubeProxyCaughtUp, programmedBetween, syncBetween, type ProxySnapshot, type SyncFigure } from '../../kube/proxy-metrics.js';
import { ServiceWriter } from '../../kube/service-writer.js';
import { ClientNodeApi } from '../../kube/client-node-api.js';
import { NODE_GATEWAY } from '../addresses.js';
import type { ProcessSet } from '../processes.js';
import { addDnsPod, removeDnsPod, type Topology } from '../topology.js';
import { binaryVersions, requireBinaries } from './binaries.js';
import { KUBE_DNS_UPSTREAM_IP, RealClusterDns } from './cluster-dns.js';
import { ControlPlane } from './control-plane.js';
import { KubeProxy } from './kube-proxy.js';

/** node-cache's kube-dns-upstream EndpointSlice: kube-dns's endpoints, conditions as the model holds them. */
function upstreamSlice(runId: string, endpoints: readonly Endpoint[]): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kube-dns-upstream-disco', namespace: 'kube-system', labels: { ...runLabels(runId), 'kubernetes.io/service-name': 'kube-dns-upstream' } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({ addresses: [e.ip], conditions: e.terminating ? { ready: false, serving: e.serving ?? false, terminating: true } : { ready: e.ready } })),
    ports: [{ name: 'dns', protocol: 'UDP', port: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53 }],
  };
}

/** The binaries a real-components run needs. */
export const REAL_BINARIES = ['etcd', 'kube-apiserver', 'kube-proxy', 'coredns'] as const;

/** What a run needs: CoreDNS only when it serves cluster DNS. */
export function realBinariesFor(dnsServer: 'coredns' | 'unbound'): string[] {
  return REAL_BINARIES.filter((b) => dnsServer === 'coredns' || b !== 'coredns');
}

export interface RealOptions {
  runId: string;
  workDir: string;
  topo: Topology;
  procs: ProcessSet;
  cluster: ClusterConfig;
  log(message: string): void;
  /** coredns: real CoreDNS (and NodeLocal DNSCache); unbound: the model's DNS pods serve DNS */
  dnsServer: 'coredns' | 'unbound';
  /** poll interval while waiting for kube-proxy */
  pollMs?: number;
}

/**
 * The local provider's system under test made of the real components: etcd and kube-apiserver
 * in the node namespace, kube-proxy there in the scenario's mode, CoreDNS with its kubernetes
 * plugin in each DNS pod namespace, NodeLocal DNSCache in the node namespace. The model's
 * Services reach kube-proxy and CoreDNS the way they do in a cluster: written to the API server
 * (selector-less Services and EndpointSlices holding the backend namespaces' addresses).
 */
export class RealComponents {
  private readonly bins: Record<string, string>;
  private cp?: ControlPlane;
  private api?: ClientNodeApi;
  private writer?: ServiceWriter;
  private proxy?: KubeProxy;
  private dns?: RealClusterDns;
  private proxyCpuBefore = 0;
  /** kube-dns-upstream's endpoints as last written (JSON), to write only changes */
  private upstreamEndpoints = '';
  /** index of the newest DNS pod (a replacement gets the next one, and so a new address) */
  private lastDnsIndex: number;
  private lastProxyCpu = 0;
  readonly nodeName: string;

  constructor(private readonly o: RealOptions) {
    this.bins = requireBinaries(realBinariesFor(o.dnsServer));
    this.nodeName = `disco-${o.runId}-node`;
    this.lastDnsIndex = o.topo.dns.length - 1;
  }

  async versions(): Promise<Record<string, string>> {
    const v = await binaryVersions(this.bins);
    return { ...v, implementation: 'real', ...(this.o.cluster.nodeLocalDNS && this.o.dnsServer === 'coredns' ? { 'node-local-dns': `coredns ${v.coredns} with node-cache's Corefile (k8s.io/dns is not served by the Go module proxy)` } : {}) };
  }

  async up(): Promise<Partial<ClusterInfo>> {
    const { topo, procs, cluster } = this.o;
    const dir = join(this.o.workDir, 'real');
    this.cp = new ControlPlane({ netns: topo.node, nodeIP: NODE_GATEWAY, dir: join(dir, 'control-plane'), binaries: { etcd: this.bins.etcd!, 'kube-apiserver': this.bins['kube-apiserver']! }, procs, log: this.o.log });
    this.api = await this.cp.start();
    this.writer = new ServiceWriter({ api: this.api, runId: this.o.runId, createNamespaces: true });
    await this.cp.registerNode(this.nodeName, runLabels(this.o.runId));
    this.proxy = new KubeProxy({ netns: topo.node, nodeName: this.nodeName, nodeIP: NODE_GATEWAY, kubeconfig: this.cp.nodeKubeconfig, binary: this.bins['kube-proxy']!, cluster, dir: join(dir, 'kube-proxy'), procs });
    await this.proxy.start();
    if (this.o.dnsServer === 'unbound') {
      this.o.log(`local: real components up: kube-proxy --proxy-mode=${cluster.proxy}; cluster DNS is Unbound (cluster.dnsServer: unbound)`);
      return { tools: await this.versions() };
    }
    this.dns = new RealClusterDns({ coredns: this.bins.coredns!, dir: join(dir, 'dns'), procs, nodeNetns: topo.node, cluster, podKubeconfig: this.cp.podKubeconfig });
    for (const pod of topo.dns) await this.dns.startPod(pod);
    if (cluster.nodeLocalDNS) {
      // node-cache's way to CoreDNS: kube-dns-upstream, same endpoints as kube-dns
      const ports = [{ name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 }, { name: 'dns-tcp', protocol: 'TCP', port: 53, targetPort: 53 }];
      await this.api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'kube-dns-upstream', namespace: 'kube-system', labels: runLabels(this.o.runId) }, spec: { type: 'ClusterIP', clusterIP: KUBE_DNS_UPSTREAM_IP, ports } } as never);
      const endpoints = topo.dns.map((d) => ({ ip: d.ip, ready: true }));
      this.upstreamEndpoints = JSON.stringify(endpoints);
      await this.api.apply(upstreamSlice(this.o.runId, endpoints) as never);
      await this.dns.startNodeLocal();
    }
    this.o.log(`local: real components up: kube-proxy --proxy-mode=${cluster.proxy}, CoreDNS x${topo.dns.length}${cluster.nodeLocalDNS ? ', NodeLocal DNSCache' : ''}`);
    return { tools: await this.versions() };
  }

  /** Cluster DNS instances replaced one at a time (dnsChurn); undefined when Unbound serves cluster DNS. */
  dnsInstances(): DnsInstances | undefined {
    const dns = this.dns;
    if (!dns) return undefined;
    const topo = this.o.topo;
    const podOf = (ip: string) => {
      const pod = topo.dns.find((p) => p.ip === ip);
      if (!pod) throw new Error(`no DNS pod at ${ip}`);
      return pod;
    };
    const stopped = new Set<string>();
    return {
      list: () => topo.dns.filter((p) => !stopped.has(p.ip)).map((p) => ({ name: `dns-${p.index}`, ip: p.ip })),
      start: async () => {
        const pod = await addDnsPod(this.o.runId, topo, ++this.lastDnsIndex);
        await dns.startPod(pod);
        return { name: `dns-${pod.index}`, ip: pod.ip };
      },
      stop: async (ip) => {
        const ms = await dns.stopPod(podOf(ip));
        stopped.add(ip);
        return ms;
      },
      remove: async (ip) => removeDnsPod(topo, podOf(ip)),
      queries: async (ip) => {
        const pod = topo.dns.find((p) => p.ip === ip);
        return pod ? dns.queriesOf(pod) : undefined;
      },
      conntrackEntries: async (ip) => {
        if (this.o.cluster.proxy === 'ipvs') {
          // IPVS steers by its own connection table (a UDP entry per client port, 300 s by default)
          const res = await run('ipvsadm', ['-L', '-n', '-c'], { netns: topo.node, reject: false });
          return res.stdout.split('\n').filter((l) => l.startsWith('UDP') && l.trim().endsWith(` ${ip}:53`)).length;
        }
        const res = await run('conntrack', ['-L', '-p', 'udp', '--reply-src', ip], { netns: topo.node, reject: false });
        return res.stdout.split('\n').filter((l) => l.startsWith('udp')).length;
      },
    };
  }

  /**
   * kube-dns-upstream has kube-dns's endpoints (node-cache's Service selects the same pods):
   * written from the state's kube-dns whenever that changes, before kube-dns itself, so the
   * kube-proxy sync applyServices waits for covers both.
   */
  private async mirrorUpstream(state: ClusterState): Promise<void> {
    if (!this.api || !this.o.cluster.nodeLocalDNS || !this.dns) return;
    const kubeDns = state.services.find((s) => s.namespace === 'kube-system' && s.name === 'kube-dns');
    if (!kubeDns) return;
    const key = JSON.stringify(kubeDns.endpoints);
    if (key === this.upstreamEndpoints) return;
    this.upstreamEndpoints = key;
    await this.api.apply(upstreamSlice(this.o.runId, kubeDns.endpoints) as never);
  }

  /**
   * Writes the state to the API server and waits for kube-proxy to program it. Partial: the
   * syncs kube-proxy ran after the writes (its partial-sync histogram in iptables mode). Full: a
   * restarted kube-proxy programs every Service in its first sync, as after a node reboot or a
   * kube-proxy upgrade. The duration is kube-proxy's own (the histograms' sums); the wall time
   * from the write to the programmed rules is logged beside it.
   */
  async applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    if (!this.writer || !this.proxy) throw new Error('real components are not up');
    await this.mirrorUpstream(state);
    const before = await this.proxy.scrape();
    const ctx = { runId: this.o.runId, namespaceOf: (s: { namespace: string }) => s.namespace, backendIPs: [], endpointAddress: (ip: string) => ip };
    const startedAt = Date.now() / 1000;
    const w = await this.writer.write(state.services, ctx, { full: false });
    let figure: SyncFigure | undefined;
    let since = w.writtenAt;
    if (opts.full) {
      // stamped before the restart: the new kube-proxy may already have made its first sync by
      // the time restart() returns (seen on a loaded machine), and any sync of the new process
      // is one of these Services
      since = Date.now() / 1000;
      await this.restartProxy();
      const after = await this.waitSynced(since, (s) => syncBetween(undefined, s, 'full') !== undefined);
      figure = syncBetween(undefined, after, 'full');
    } else if (w.proxiedChanges > 0) {
      // every slice written with new endpoints programmed (kube-proxy's own count): the last
      // sync before the watch delivered them all would otherwise look like the one that did it
      const after = await this.waitSynced(since, (s) => syncBetween(before, s, 'partial') !== undefined && programmedBetween(before, s) >= w.stampedSlices, startedAt);
      figure = syncBetween(before, after, 'partial');
      this.o.log(`local: kube-proxy programmed ${w.proxiedChanges} changed Service(s) ${((after.lastSync! - w.writtenAt) * 1000).toFixed(0)} ms after the write`);
    }
    const rules = await this.countRules();
    return { kind: opts.full ? 'full' : 'partial', durationMs: figure?.durationMs ?? Number.NaN, rules: rules ?? Number.NaN };
  }

  private async restartProxy(): Promise<void> {
    if (this.proxy?.pid) this.proxyCpuBefore += await processCpuSeconds(this.proxy.pid).catch(() => this.lastProxyCpu);
    this.lastProxyCpu = 0;
    await this.proxy!.restart();
  }

  /**
   * Until kube-proxy has synced since `since` with nothing pending, and `synced` (a sync was
   * recorded: a new kube-proxy stamps its last-sync gauge before its first sync).
   */
  private async waitSynced(since: number, synced: (s: ProxySnapshot) => boolean, queuedSince?: number): Promise<ProxySnapshot> {
    const deadline = Date.now() + 15 * 60_000;
    for (;;) {
      const s = await this.proxy!.scrape();
      if (s && kubeProxyCaughtUp(s, since, queuedSince) && synced(s)) return s;
      if (!this.proxy!.alive()) throw new MeasurementError('kube-proxy is gone: the Services were written but nothing programs them', `its log: ${join(this.o.workDir, 'real', 'kube-proxy', 'kube-proxy.log')}`);
      if (Date.now() > deadline) throw new MeasurementError('kube-proxy did not program the Services within 15 min', this.proxy!.tail());
      await sleep(this.o.pollMs ?? 50);
    }
  }

  /** What the data plane holds: iptables rules, nftables Service map entries, IPVS virtual servers. */
  async countRules(): Promise<number | undefined> {
    const netns = this.o.topo.node;
    if (this.o.cluster.proxy === 'iptables') {
      const s = await this.proxy!.scrape();
      return s?.iptablesRules;
    }
    if (this.o.cluster.proxy === 'nftables') {
      let n = 0;
      for (const map of ['service-ips', 'no-endpoint-services']) {
        const out = await run('nft', ['list', 'map', 'ip', 'kube-proxy', map], { netns, reject: false });
        n += (out.stdout.match(/ : (goto|jump|drop|reject)\b/g) ?? []).length;
      }
      return n;
    }
    const out = await run('ipvsadm', ['-Ln'], { netns, reject: false });
    return out.exitCode === 0 ? out.stdout.split('\n').filter((l) => /^(TCP|UDP|SCTP)\s/.test(l)).length : undefined;
  }

  /** CoreDNS's CPU and counters, and kube-proxy's CPU (summed over its restarts). */
  async sample(time: number, opts: { dns: boolean } = { dns: true }): Promise<ProviderSample> {
    // a kube-proxy that died keeps the CPU it had used (the counter must not go backwards)
    const proxyCpu = this.proxy?.pid ? this.proxyCpuBefore + (this.lastProxyCpu = await processCpuSeconds(this.proxy.pid).catch(() => this.lastProxyCpu)) : undefined;
    const proxy = proxyCpu !== undefined ? { proxyCpuSeconds: proxyCpu } : {};
    if (!opts.dns || !this.dns) return { time, dnsServerCpuSeconds: Number.NaN, ...proxy };
    const d = await this.dns.sample();
    return { time, dnsServerCpuSeconds: d.cpuSeconds, dnsServerQueries: d.queries, cacheHits: d.cacheHits, cacheMisses: d.cacheMisses, ...proxy };
  }

  /** The API client, for tests and for the existing provider's checks against this control plane. */
  get client(): ClientNodeApi | undefined {
    return this.api;
  }

  get controlPlane(): ControlPlane | undefined {
    return this.cp;
  }

  async down(): Promise<void> {
    await this.cp?.stop();
  }
}

export { KUBE_DNS_IP };
