import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { haveTool, run } from '../../core/exec.js';
import { EXTERNAL_ZONE } from '../../model/generate.js';
import { KUBE_DNS_IP, NODE_LOCAL_DNS_IP } from '../../model/addressing.js';
import type { ClusterState } from '../../model/cluster.js';
import { renderClusterUnbound, renderNodeLocalUnbound, nodeLocalNotrackRules } from '../../dns/server/unbound.js';
import { reloadClusterZones, unboundStats, writeClusterZones } from '../../dns/server/unbound-process.js';
import { UPSTREAM_IP } from './addresses.js';
import { CLI_MAIN } from './agents.js';
import { processCpuSeconds } from './cpu.js';
import type { ManagedProcess, ProcessSet } from './processes.js';
import type { Topology } from './topology.js';

interface DnsServer {
  proc: ManagedProcess;
  conf: string;
  zoneDir: string;
}

/**
 * The cluster DNS "pods" (Unbound in dns-N namespaces behind the kube-dns ClusterIP), the
 * stand-in upstream and, when asked, the NodeLocal DNSCache in the node namespace.
 */
export class DnsPods {
  private readonly servers: DnsServer[] = [];
  private cache?: DnsServer;
  private lastZoneKey = '';
  private serial = 1;

  constructor(private readonly topo: Topology, private readonly procs: ProcessSet, private readonly dir: string, private readonly upstreamDelayMs: number) {
    mkdirSync(dir, { recursive: true });
  }

  /** The internet's DNS stand-in, answering api-N.example.com, with the scenario's added delay. */
  async startUpstream(): Promise<void> {
    await this.procs.start({
      name: 'upstream-dns', netns: this.topo.upstream.netns, file: process.execPath,
      args: [CLI_MAIN, 'serve-upstream', '--listen', `${UPSTREAM_IP}:53`, '--zone', EXTERNAL_ZONE, '--delay', `${this.upstreamDelayMs}ms`],
      readyLine: 'ready',
    });
  }

  /** Renders the zone from the state; (re)starts or reloads the servers when it changed. */
  async apply(state: ClusterState): Promise<void> {
    const key = JSON.stringify(state.services.map((s) => [s.namespace, s.name, s.clusterIP, s.externalName, s.endpoints.length]));
    if (key === this.lastZoneKey) return;
    this.lastZoneKey = key;
    this.serial++;
    for (const pod of this.topo.dns) {
      const base = join(this.dir, `dns-${pod.index}`);
      const conf = `${base}.conf`;
      const existing = this.servers.find((s) => s.conf === conf);
      if (existing) {
        // like CoreDNS's kubernetes plugin picking up a change: new zone, stale negative answers flushed
        await reloadClusterZones(state, existing.zoneDir, conf, pod.netns, this.serial);
        continue;
      }
      const zoneDir = `${base}-zones`;
      mkdirSync(zoneDir, { recursive: true });
      await writeClusterZones(state, zoneDir, this.serial);
      writeFileSync(conf, renderClusterUnbound(state, { listen: [pod.ip], upstream: UPSTREAM_IP, controlSocket: `${base}.ctl`, pidFile: `${base}.pid`, zoneDir }));
      const proc = await this.procs.start({ name: `unbound dns-${pod.index}`, netns: pod.netns, file: 'unbound', args: ['-d', '-c', conf], port: { proto: 'udp', port: 53 } });
      this.servers.push({ proc, conf, zoneDir });
    }
    if (this.topo.nodeLocalDNS && !this.cache) await this.startNodeLocal();
  }

  private async startNodeLocal(): Promise<void> {
    const base = join(this.dir, 'node-local-dns');
    const conf = `${base}.conf`;
    writeFileSync(conf, renderNodeLocalUnbound({ listen: [NODE_LOCAL_DNS_IP], clusterDns: KUBE_DNS_IP, upstream: UPSTREAM_IP, controlSocket: `${base}.ctl`, pidFile: `${base}.pid` }));
    await run('iptables-restore', ['--noflush'], { netns: this.topo.node, input: nodeLocalNotrackRules([NODE_LOCAL_DNS_IP]) });
    const proc = await this.procs.start({ name: 'node-local-dns', netns: this.topo.node, file: 'unbound', args: ['-d', '-c', conf], port: { proto: 'udp', port: 53 } });
    this.cache = { proc, conf, zoneDir: '' };
  }

  /** CPU seconds and query counters of the cluster DNS servers (not the node-local cache). */
  async sample(): Promise<{ cpuSeconds: number; queries: number; cacheHits?: number; cacheMisses?: number }> {
    let cpuSeconds = 0;
    let queries = 0;
    for (const s of this.servers) {
      cpuSeconds += processCpuSeconds(s.proc.pid);
      queries += (await unboundStats(s.conf, s.proc.netns)).queries;
    }
    if (!this.cache) return { cpuSeconds, queries };
    const c = await unboundStats(this.cache.conf, this.cache.proc.netns);
    return { cpuSeconds, queries, cacheHits: c.cacheHits, cacheMisses: c.cacheMisses };
  }

  static async versions(): Promise<Record<string, string>> {
    if (!(await haveTool('unbound'))) return {};
    const res = await run('unbound', ['-V'], { reject: false });
    return { unbound: /Version (\S+)/.exec(res.stdout)?.[1] ?? 'unknown' };
  }
}
