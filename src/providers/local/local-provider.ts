import { LocalEndpointControl } from './endpoint-control.js';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { PrerequisiteError } from '../../core/errors.js';
import { requireTools } from '../../core/exec.js';
import { clusterFirstDns } from '../../dns/pod-dns.js';
import { Proxier } from '../../dataplane/proxier.js';
import { prepareBackend } from '../../load/http/backend.js';
import type { AgentOutput } from '../../metrics/agent-output.js';
import { CLUSTER_DOMAIN, KUBE_DNS_IP, NODE_LOCAL_DNS_IP } from '../../model/addressing.js';
import type { ClusterState } from '../../model/cluster.js';
import { clientNamespace } from '../../model/generate.js';
import type { ClusterConfig } from '../../scenario/schema.js';
import type { AgentRequest, ClusterInfo, DnsInstances, Provider, ProviderContext, ProviderSample, SyncReport } from '../provider.js';
import { BACKEND_PORT } from './addresses.js';
import { runLocalAgent } from './agents.js';
import { cleanLocalRun } from './cleanup.js';
import { DnsPods } from './dns-pods.js';
import { implementationOf, type Implementation } from './implementation.js';
import { ClientResolvConfs } from './pod-dns.js';
import { requireBinaries } from './real/binaries.js';
import { realBinariesFor, RealComponents } from './real/components.js';
import { ProcessSet } from './processes.js';
import { nodeLocalAddresses } from './real/cluster-dns.js';
import { buildTopology, planTopology, blocksOf, type Topology } from './topology.js';

/** Namespace of the client pods: their search list starts with <ns>.svc.cluster.local. */
const CLIENT_NAMESPACE = clientNamespace();

/**
 * The embedded default: Linux network namespaces as node and pods, nginx as backends, and either
 * the real components (etcd, kube-apiserver, kube-proxy, CoreDNS: real/) or the model (our
 * Proxier and Unbound). Nothing touches the root namespace.
 */
export class LocalProvider implements Provider {
  readonly name = 'local';
  private topo?: Topology;
  private proxier?: Proxier;
  private dns?: DnsPods;
  private real?: RealComponents;
  private impl?: Implementation;
  private resolvConfs?: ClientResolvConfs;
  private readonly procs = new ProcessSet();
  private downDone = false;
  /** rollouts: endpoints' backends stopped by address (nftables in the backend namespaces) */
  endpoints?: LocalEndpointControl;

  constructor(private readonly ctx: ProviderContext) {}

  describe(cluster: ClusterConfig): string[] {
    const topo = planTopology(this.ctx.runId, this.plan(cluster));
    const impl = implementationOf(cluster);
    const proxy = impl.proxy === 'real' ? 'real kube-proxy' : 'kube-proxy model';
    return [
      `local: network namespaces ${topo.node} (${impl.proxy === 'real' ? 'etcd, kube-apiserver, ' : ''}${proxy} ${cluster.proxy}${cluster.proxy === 'iptables' ? `, ${cluster.iptablesBackend} backend` : ''}) and ${topo.pods.length} pods:`,
      ...topo.pods.map((p) => `  ${p.netns}  ${p.ip}  (${p.role})`),
      `  cluster DNS: ${impl.dns} x${cluster.dnsReplicas} behind ${KUBE_DNS_IP}${cluster.nodeLocalDNS ? `, NodeLocal DNSCache on ${NODE_LOCAL_DNS_IP}` : ''}; upstream stand-in delay ${cluster.upstreamDelay} ms`,
    ];
  }

  private plan(cluster: ClusterConfig) {
    return { clients: cluster.clients, dnsReplicas: cluster.dnsReplicas, backends: cluster.backends, nodeLocalDNS: cluster.nodeLocalDNS };
  }

  async check(cluster: ClusterConfig): Promise<void> {
    if (process.platform !== 'linux') throw new PrerequisiteError('the local provider needs Linux network namespaces', 'use --provider kind or existing');
    if (process.getuid?.() !== 0) throw new PrerequisiteError('the local provider needs root (network namespaces, iptables)', 'run as root, e.g. sudo npm run bench -- ...');
    if (cluster.proxy === 'cilium') throw new PrerequisiteError('proxy cilium runs on kind only (eBPF kube-proxy replacement needs a real cluster)', 'use --provider kind, or cluster.proxy iptables|nftables|ipvs');
    const impl = implementationOf(cluster);
    if (impl.proxy === 'real') {
      requireBinaries(realBinariesFor(impl.dns));
      await requireTools(['curl', 'openssl']);
    }
    await requireTools(['ip', 'ss', 'sysctl', 'nginx', cluster.proxy === 'nftables' ? 'nft' : 'iptables-restore']);
    if (impl.dns === 'unbound') await requireTools(['unbound', 'unbound-control']);
    if (cluster.proxy === 'iptables' || cluster.nodeLocalDNS) await requireTools([cluster.iptablesBackend === 'legacy' ? 'iptables-legacy-restore' : 'iptables-nft-restore']);
    await new Proxier({ mode: cluster.proxy, iptablesBackend: cluster.iptablesBackend, netns: 'unused' }).check();
  }

  async up(cluster: ClusterConfig): Promise<ClusterInfo> {
    const topo = planTopology(this.ctx.runId, this.plan(cluster));
    this.topo = topo;
    this.endpoints = new LocalEndpointControl(topo);
    const impl = implementationOf(cluster);
    this.impl = impl;
    mkdirSync(this.ctx.workDir, { recursive: true });
    this.ctx.log(`local: building ${topo.pods.length + 1} network namespaces (${impl.proxy === 'real' ? 'real components' : 'model'}, cluster DNS ${impl.dns})`);
    await buildTopology(topo, { nodeLocalAddresses: cluster.nodeLocalDNS && impl.dns === 'coredns' ? nodeLocalAddresses(cluster.proxy) : undefined });
    if (impl.proxy === 'model') this.proxier = new Proxier({ mode: cluster.proxy as 'iptables' | 'nftables' | 'ipvs', iptablesBackend: cluster.iptablesBackend, netns: topo.node });
    for (const b of topo.backends) {
      const dir = join(this.ctx.workDir, `backend-${b.index}`);
      mkdirSync(dir, { recursive: true });
      const cmd = await prepareBackend(dir, { port: BACKEND_PORT, workers: 1 });
      await this.procs.start({ name: `nginx backend-${b.index} (${blocksOf(topo, b.index).length} endpoint blocks)`, netns: b.netns, file: cmd.file, args: cmd.args, port: { proto: 'tcp', port: BACKEND_PORT } });
    }
    this.dns = new DnsPods(topo, this.procs, join(this.ctx.workDir, 'dns'), cluster.upstreamDelay);
    await this.dns.startUpstream();
    let realTools: Record<string, string> = {};
    if (impl.proxy === 'real') {
      this.real = new RealComponents({ runId: this.ctx.runId, workDir: this.ctx.workDir, topo, procs: this.procs, cluster, log: this.ctx.log, dnsServer: impl.dns });
      realTools = (await this.real.up()).tools ?? {};
    }
    const nameserver = cluster.nodeLocalDNS ? NODE_LOCAL_DNS_IP : KUBE_DNS_IP;
    // what kubelet writes for a ClusterFirst pod, in place from the start; an agent request may bring its own
    this.resolvConfs = new ClientResolvConfs(clusterFirstDns(nameserver, CLIENT_NAMESPACE, CLUSTER_DOMAIN));
    for (const c of topo.clients) this.resolvConfs.use(c.netns, undefined)();
    return {
      nameserver,
      clusterDomain: CLUSTER_DOMAIN,
      clientNamespace: CLIENT_NAMESPACE,
      clients: topo.clients.length,
      dnsPodIPs: topo.dns.map((d) => d.ip),
      tools: { implementation: impl.proxy, ...(impl.dns === 'unbound' ? await DnsPods.versions() : {}), ...realTools },
    };
  }

  async applyServices(state: ClusterState, opts: { full: boolean }): Promise<SyncReport> {
    if (!this.dns || !(this.proxier || this.real)) throw new Error('local provider is not up');
    const report = this.real ? await this.real.applyServices(state, opts) : await this.proxier!.sync(state, opts);
    if (this.impl?.dns === 'unbound') await this.dns.apply(state);
    return report;
  }

  async runAgent(req: AgentRequest): Promise<AgentOutput> {
    const client = this.topo?.clients[req.client];
    if (!client || !this.resolvConfs) throw new Error(`no client ${req.client} (have ${this.topo?.clients.length ?? 0})`);
    const release = this.resolvConfs.use(client.netns, req.dns);
    try {
      return await runLocalAgent(client.netns, this.ctx.workDir, req);
    } finally {
      release();
    }
  }

  async sample(): Promise<ProviderSample> {
    const time = Date.now();
    if (this.real && this.impl?.dns === 'coredns') return this.real.sample(time);
    const s = await this.dns!.sample();
    const proxy = this.real ? await this.real.sample(time, { dns: false }) : {};
    return { ...proxy, time, dnsServerCpuSeconds: s.cpuSeconds, dnsServerQueries: s.queries, cacheHits: s.cacheHits, cacheMisses: s.cacheMisses };
  }

  dnsInstances(): DnsInstances | undefined {
    return this.impl?.dns === 'coredns' ? this.real?.dnsInstances() : undefined;
  }

  async down(): Promise<void> {
    if (this.downDone) return;
    this.downDone = true;
    if (this.ctx.options.keep) {
      this.ctx.log(`local: --keep: namespaces of run ${this.ctx.runId} left in place; remove them with: npm run clean -- ${this.ctx.runId}`);
      return;
    }
    await this.dns?.stop();
    await this.real?.down();
    await this.procs.stopAll();
    await this.proxier?.cleanup().catch(() => undefined);
    await cleanLocalRun(this.ctx.runId);
    rmSync(this.ctx.workDir, { recursive: true, force: true });
  }
}

