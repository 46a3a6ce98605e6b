import { join } from 'node:path';
import { haveTool, run } from '../../core/exec.js';
import { startClusterUnbound, startNodeLocalUnbound, type ClusterUnboundServer, type UnboundServer } from '../../dns/server/servers.js';
import { nodeLocalNotrackRules } from '../../dns/server/unbound.js';
import { EXTERNAL_ZONE } from '../../model/generate.js';
import { KUBE_DNS_IP, NODE_LOCAL_DNS_IP } from '../../model/addressing.js';
import type { ClusterState } from '../../model/cluster.js';
import { UPSTREAM_IP } from './addresses.js';
import { CLI_MAIN } from './agents.js';
import type { ProcessSet } from './processes.js';
import type { Topology } from './topology.js';

/**
 * The cluster DNS "pods" (Unbound in dns-N namespaces behind the kube-dns ClusterIP), the
 * stand-in upstream and, when asked, the NodeLocal DNSCache in the node namespace.
 */
export class DnsPods {
  private readonly servers: ClusterUnboundServer[] = [];
  private cache?: UnboundServer;

  constructor(private readonly topo: Topology, private readonly procs: ProcessSet, private readonly dir: string, private readonly upstreamDelayMs: number) {}

  /** The internet's DNS stand-in, answering api-N.example.com, with the scenario's added delay. */
  async startUpstream(): Promise<void> {
    await this.procs.start({
      name: 'upstream-dns', netns: this.topo.upstream.netns, file: process.execPath,
      args: [CLI_MAIN, 'serve-upstream', '--listen', `${UPSTREAM_IP}:53`, '--zone', EXTERNAL_ZONE, '--delay', `${this.upstreamDelayMs}ms`],
      readyLine: 'ready',
    });
  }

  /**
   * Serves the state's zone: starts the servers the first time, afterwards updates them in place
   * (new Services added live, removals by a zone reload), as CoreDNS follows the API.
   */
  async apply(state: ClusterState): Promise<void> {
    if (this.servers.length > 0) {
      for (const s of this.servers) await s.update(state);
      return;
    }
    for (const pod of this.topo.dns) {
      this.servers.push(await startClusterUnbound({ state, dir: join(this.dir, `dns-${pod.index}`), netns: pod.netns, listen: [pod.ip], upstream: UPSTREAM_IP }));
    }
    if (this.topo.nodeLocalDNS) {
      await run('iptables-restore', ['--noflush'], { netns: this.topo.node, input: nodeLocalNotrackRules([NODE_LOCAL_DNS_IP]) });
      this.cache = await startNodeLocalUnbound({ dir: join(this.dir, 'node-local-dns'), netns: this.topo.node, listen: [NODE_LOCAL_DNS_IP], clusterDns: KUBE_DNS_IP, upstream: UPSTREAM_IP });
    }
  }

  /** CPU seconds and query counters of the cluster DNS servers; cache counters of the node-local cache. */
  async sample(): Promise<{ cpuSeconds: number; queries: number; cacheHits?: number; cacheMisses?: number }> {
    let cpuSeconds = 0;
    let queries = 0;
    for (const s of this.servers) {
      cpuSeconds += await s.process.cpuSeconds();
      queries += (await s.stats()).queries;
    }
    if (!this.cache) return { cpuSeconds, queries };
    const c = await this.cache.stats();
    return { cpuSeconds, queries, cacheHits: c.cacheHits, cacheMisses: c.cacheMisses };
  }

  async stop(): Promise<void> {
    await Promise.all([...this.servers.splice(0), ...(this.cache ? [this.cache] : [])].map((s) => s.stop().catch(() => undefined)));
    this.cache = undefined;
  }

  static async versions(): Promise<Record<string, string>> {
    if (!(await haveTool('unbound'))) return {};
    const res = await run('unbound', ['-V'], { reject: false });
    return { unbound: /Version (\S+)/.exec(res.stdout)?.[1] ?? 'unknown' };
  }
}
