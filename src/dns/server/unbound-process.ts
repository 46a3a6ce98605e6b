import { rename, writeFile } from 'node:fs/promises';
import { run, spawnProcess, requireTools } from '../../core/exec.js';
import { MeasurementError } from '../../core/errors.js';
import type { ClusterState, Service } from '../../model/cluster.js';
import { pollUntil, type ServerProcess, startServerProcess } from './process.js';
import { clusterZonePaths } from './unbound.js';
import { clusterZoneFiles } from './zonefile.js';
import { clusterZoneRecords, renderRecord, serviceName, type ZoneRecord } from './zone.js';
import { scaled } from '../../core/time-scale.js';

/** Writes atomically, so a reload never reads half a zone. */
async function writeAtomic(path: string, text: string): Promise<void> {
  await writeFile(`${path}.tmp`, text);
  await rename(`${path}.tmp`, path);
}

/** Writes the zone files renderClusterUnbound's conf points at (zoneDir must exist). */
export async function writeClusterZones(state: ClusterState, zoneDir: string, serial = 1): Promise<{ origins: string[] }> {
  const files = clusterZoneFiles(state, { serial });
  const paths = clusterZonePaths(zoneDir);
  await writeAtomic(paths.forward, files.forward.text);
  await writeAtomic(paths.reverse, files.reverse.text);
  return { origins: [files.forward.origin, files.reverse.origin] };
}

/**
 * Makes a running cluster unbound serve a new state: rewrites the zone files, reloads both
 * auth-zones, and flushes what the cache holds under them, so a cached answer (or NXDOMAIN) does
 * not outlive the change. Throws CommandError if unbound rejects the zone.
 */
export async function reloadClusterZones(state: ClusterState, zoneDir: string, controlConf: string, netns?: string, serial = 2): Promise<void> {
  const { origins } = await writeClusterZones(state, zoneDir, serial);
  for (const zone of origins) {
    await run('unbound-control', ['-c', controlConf, 'auth_zone_reload', zone], { netns, timeoutMs: 30_000 });
    await run('unbound-control', ['-c', controlConf, 'flush_zone', zone], { netns, timeoutMs: 30_000 });
  }
}

export interface UnboundStats {
  queries: number;
  cacheHits: number;
  cacheMisses: number;
}

/** Parses `unbound-control stats` output (`key=value` lines) into the totals we report. */
export function parseUnboundStats(text: string): UnboundStats & { raw: Record<string, number> } {
  const raw: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) raw[line.slice(0, eq).trim()] = Number(line.slice(eq + 1));
  }
  const need = (k: string): number => {
    const v = raw[k];
    if (v === undefined || !Number.isFinite(v)) throw new MeasurementError(`unbound-control stats lacks ${k}`);
    return v;
  };
  return { queries: need('total.num.queries'), cacheHits: need('total.num.cachehits'), cacheMisses: need('total.num.cachemiss'), raw };
}

/**
 * Cumulative query and cache counters of a running unbound, without resetting them (stats_noreset),
 * so several readers can take differences. Note unbound counts answers from local-data as cache
 * hits: the hit ratio is meaningful for the NodeLocal cache (which has no local data), not for
 * the cluster server.
 */
export async function unboundStats(controlSocketConf: string, netns?: string): Promise<UnboundStats> {
  const res = await run('unbound-control', ['-c', controlSocketConf, 'stats_noreset'], { netns, timeoutMs: 10_000 });
  const { queries, cacheHits, cacheMisses } = parseUnboundStats(res.stdout);
  return { queries, cacheHits, cacheMisses };
}

/** `1.17.1`, for run.json environment.tools. */
export async function unboundVersion(): Promise<string> {
  const res = await run('unbound', ['-V']);
  const m = /Version (\S+)/.exec(res.stdout);
  if (!m) throw new MeasurementError(`cannot read the version from unbound -V: ${res.stdout.slice(0, 200)}`);
  return m[1]!;
}

export interface LoggedReply {
  client: string;
  /** absolute, as asked */
  name: string;
  type: string;
  rcode: string;
}

/** The replies a `logReplies: true` unbound logged to stderr, in order. */
export function parseUnboundReplyLog(stderr: string): LoggedReply[] {
  const out: LoggedReply[] = [];
  for (const line of stderr.split('\n')) {
    const m = /\binfo: (\S+) (\S+) (\S+) IN ([A-Z]+) \d/.exec(line);
    if (m) out.push({ client: m[1]!, name: m[2]!, type: m[3]!, rcode: m[4]! });
  }
  return out;
}

export interface StartUnboundOptions {
  /** the rendered unbound.conf */
  conf: string;
  /** where to write it */
  confPath: string;
  /** conf naming the control socket (renderControlConf), used to wait for readiness */
  controlConfPath: string;
  netns?: string;
  /** give up waiting for the control socket after this long (default 10 s) */
  readyTimeoutMs?: number;
  /** how much stderr to keep (default 16 KB); raise it to read a log-replies query log */
  keepStderrBytes?: number;
}

/**
 * Writes the conf, checks it with unbound-checkconf (a bad conf fails here with unbound's own
 * message), starts `unbound -d` in the namespace (ip netns exec execs unbound, so the pid is
 * unbound's own, for /proc/<pid>/stat CPU sampling) and resolves once unbound-control answers.
 */
export async function startUnbound(o: StartUnboundOptions): Promise<ServerProcess> {
  await requireTools(['unbound', 'unbound-control', 'unbound-checkconf']);
  await writeFile(o.confPath, o.conf);
  await run('unbound-checkconf', [o.confPath]);
  const proc = startServerProcess('unbound', spawnProcess('unbound', ['-d', '-c', o.confPath], { netns: o.netns }), { keepStderrBytes: o.keepStderrBytes });
  try {
    await pollUntil(async () => {
      if (proc.exited()) throw new MeasurementError(`unbound exited at start: ${proc.stderr().trim().slice(-500)}`);
      const res = await run('unbound-control', ['-c', o.controlConfPath, 'status'], { netns: o.netns, reject: false, timeoutMs: scaled(5000) });
      return res.exitCode === 0;
    }, o.readyTimeoutMs ?? scaled(10_000), 'unbound to answer on its control socket');
  } catch (err) {
    await proc.stop();
    throw err;
  }
  return proc;
}

/**
 * Adds Services to a running cluster unbound without reloading the zones: each new name becomes a
 * local-zone of its own (static; redirect for an ExternalName, the local-zone type whose CNAME
 * unbound chases) holding its records, and each PTR likewise. Local zones are consulted before
 * the cache, so a cached NXDOMAIN does not hide the new Service. A zone reload blocks the server
 * for about 1 s per 20k records; this costs one control round trip whatever the zone size, so
 * Services created during churn are served at once. reloadClusterZones later folds them into
 * the zone files (the local zones then only duplicate what the zone holds).
 */
export async function unboundAddServices(added: readonly Service[], clusterDomain: string, controlConf: string, netns?: string): Promise<{ zones: string[] }> {
  if (added.length === 0) return { zones: [] };
  const zones = new Map<string, string>();
  const records: ZoneRecord[] = [];
  for (const s of added) {
    const name = serviceName(s, clusterDomain);
    const recs = clusterZoneRecords({ clusterDomain, services: [s] }).filter((r) => r.type !== 'TXT');
    if (recs.length === 0) continue;
    zones.set(name, s.type === 'ExternalName' ? 'redirect' : 'static');
    for (const r of recs) if (r.type === 'PTR') zones.set(r.name, 'static');
    records.push(...recs);
  }
  const zoneText = [...zones].map(([name, type]) => `${name} ${type}\n`).join('');
  await run('unbound-control', ['-c', controlConf, 'local_zones'], { netns, input: zoneText, timeoutMs: 30_000 });
  await run('unbound-control', ['-c', controlConf, 'local_datas'], { netns, input: records.map((r) => `${renderRecord(r)}\n`).join(''), timeoutMs: 30_000 });
  return { zones: [...zones.keys()] };
}

/** Drops local zones unboundAddServices created (with their data), once the zone files hold the truth. */
export async function unboundRemoveLocalZones(zones: readonly string[], controlConf: string, netns?: string): Promise<void> {
  if (zones.length === 0) return;
  await run('unbound-control', ['-c', controlConf, 'local_zones_remove'], { netns, input: zones.map((z) => `${z}\n`).join(''), timeoutMs: 30_000 });
}
