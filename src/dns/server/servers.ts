import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterState } from '../../model/cluster.js';
import type { ServerProcess } from './process.js';
import { renderClusterUnbound, renderControlConf, renderNodeLocalUnbound } from './unbound.js';
import { startUnbound, unboundStats, writeClusterZones, type UnboundStats } from './unbound-process.js';
import { updateClusterUnbound, type DnsUpdate } from './update.js';

/**
 * One call per DNS server for the local provider: renders the configuration into its own
 * directory, starts unbound in the namespace, and hands back what the provider needs later
 * (pid and CPU for dns.server.cpu, stats for dns.cache.hit_ratio, updates for churn, stop).
 */
export interface UnboundServer {
  process: ServerProcess;
  /** conf for `unbound-control -c` */
  controlConf: string;
  stats(): Promise<UnboundStats>;
  stop(): Promise<void>;
}

export interface ClusterUnboundServer extends UnboundServer {
  /** follows a new ClusterState: adds new Services live, reloads the zones on other changes */
  update(next: ClusterState): Promise<DnsUpdate>;
}

interface Common {
  /** directory for this server's files (created); one per server */
  dir: string;
  netns?: string;
  listen: string[];
  port?: number;
  upstream: string;
  threads?: number;
  logReplies?: boolean;
  /** stderr kept for errors and the reply log (default 16 KB) */
  keepStderrBytes?: number;
}

async function prepare(dir: string): Promise<{ controlConf: string; controlSocket: string; pidFile: string }> {
  await mkdir(dir, { recursive: true });
  // a unix socket path must fit in sun_path (108 bytes); deep run directories do not
  let controlSocket = join(dir, 'control.sock');
  if (Buffer.byteLength(controlSocket) > 100) controlSocket = join(tmpdir(), `disco-unbound-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}.sock`);
  const controlConf = join(dir, 'control.conf');
  await writeFile(controlConf, renderControlConf(controlSocket));
  return { controlConf, controlSocket, pidFile: join(dir, 'unbound.pid') };
}

export async function startClusterUnbound(o: Common & { state: ClusterState }): Promise<ClusterUnboundServer> {
  const { controlConf, controlSocket, pidFile } = await prepare(o.dir);
  await writeClusterZones(o.state, o.dir);
  const conf = renderClusterUnbound(o.state, { listen: o.listen, port: o.port, upstream: o.upstream, controlSocket, pidFile, zoneDir: o.dir, threads: o.threads, logReplies: o.logReplies });
  const proc = await startUnbound({ conf, confPath: join(o.dir, 'unbound.conf'), controlConfPath: controlConf, netns: o.netns, keepStderrBytes: o.keepStderrBytes });
  let current = o.state;
  let serial = 1;
  const liveZones = new Set<string>();
  return {
    process: proc,
    controlConf,
    stats: () => unboundStats(controlConf, o.netns),
    stop: () => proc.stop(),
    async update(next) {
      const done = await updateClusterUnbound(current, next, { zoneDir: o.dir, controlConf, netns: o.netns, serial: ++serial, liveZones });
      current = next;
      return done;
    },
  };
}

export async function startNodeLocalUnbound(o: Common & { clusterDns: string; clusterDomain?: string }): Promise<UnboundServer> {
  const { controlConf, controlSocket, pidFile } = await prepare(o.dir);
  const conf = renderNodeLocalUnbound({ listen: o.listen, port: o.port, clusterDns: o.clusterDns, upstream: o.upstream, controlSocket, pidFile, threads: o.threads, logReplies: o.logReplies, clusterDomain: o.clusterDomain });
  const proc = await startUnbound({ conf, confPath: join(o.dir, 'unbound.conf'), controlConfPath: controlConf, netns: o.netns, keepStderrBytes: o.keepStderrBytes });
  return { process: proc, controlConf, stats: () => unboundStats(controlConf, o.netns), stop: () => proc.stop() };
}
