import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, requireTools } from '../core/exec.js';
import { MeasurementError } from '../core/errors.js';
import { renderClusterUnbound, renderControlConf } from '../dns/server/unbound.js';
import { startUnbound, writeClusterZones } from '../dns/server/unbound-process.js';
import { serviceName } from '../dns/server/zone.js';
import { literalArgs } from '../load/agent-contract.js';
import { parseAgentOutput } from '../metrics/agent-output.js';
import { dnsAgentArgs, readDnsOutput } from '../load/dns/contract.js';
import { formatNamesFile } from '../load/dns/names-file.js';
import { generateServices } from '../model/generate.js';
import { runWithCpu } from '../core/child-cpu.js';
import { parseDnsperf } from './dnsperf.js';
import { createNetns, deleteNetns } from './netns.js';
import { summarize, type Summary } from './stats.js';
import { ratio } from './targets.js';

/**
 * The DNS agent against dnsperf (`dns.agent_vs_dnsperf`): one namespace
 * holding an Unbound that serves a generated cluster zone on a lo address, and both clients,
 * which send the same names file (existing A records, one query per line) closed loop with the
 * same number in flight, from one socket and one thread each, in alternating rounds.
 */
export interface DnsVsDnsperfOptions {
  /** namespace name, created fresh and deleted afterwards */
  netns: string;
  /** Services in the zone (one name each in the names file) */
  services: number;
  durationMs: number;
  /** queries in flight: dnsperf -q, agent --inflight */
  inflight: number;
  rounds: number;
  signal?: AbortSignal;
}

export interface DnsVsDnsperfResult {
  ratio: number;
  agentQps: Summary;
  dnsperfQps: Summary;
  /** client CPU (user + system) per answered query, median over rounds */
  agentCpuUsPerQuery: number;
  dnsperfCpuUsPerQuery: number;
  agentTimeouts: number;
  dnsperfLost: number;
  services: number;
  inflight: number;
  durationMs: number;
  server: string;
}

export const PERF_DNS_IP = '10.255.53.1';
const MAIN_JS = fileURLToPath(new URL('../cli/main.js', import.meta.url));

export async function measureDnsVsDnsperf(o: DnsVsDnsperfOptions): Promise<DnsVsDnsperfResult> {
  await requireTools(['ip', 'dnsperf', 'unbound', 'unbound-control', 'unbound-checkconf']);
  const dir = await mkdtemp(join(tmpdir(), 'disco-dnsperf-'));
  const seconds = Math.max(1, Math.round(o.durationMs / 1000));
  let unbound: Awaited<ReturnType<typeof startUnbound>> | undefined;
  try {
    await createNetns(o.netns);
    await run('ip', ['-n', o.netns, 'addr', 'add', `${PERF_DNS_IP}/32`, 'dev', 'lo']);
    const state = generateServices({ count: o.services, endpointsPerService: 1, headless: 0, externalName: 0, namespaces: 10 });
    await writeClusterZones(state, dir);
    const controlConfPath = join(dir, 'control.conf');
    const controlSocket = join(dir, 'ctl.sock');
    await writeFile(controlConfPath, renderControlConf(controlSocket));
    // the upstream is never asked: every name sent is in the cluster zone (nothing leaves the namespace anyway)
    const conf = renderClusterUnbound(state, { listen: [PERF_DNS_IP], port: 53, controlSocket, pidFile: join(dir, 'unbound.pid'), threads: 1, upstream: '127.0.0.1:9', zoneDir: dir });
    unbound = await startUnbound({ conf, confPath: join(dir, 'unbound.conf'), controlConfPath, netns: o.netns });
    const namesFile = join(dir, 'names.txt');
    await writeFile(namesFile, formatNamesFile(state.services.map((s) => ({ name: serviceName(s, state.clusterDomain), type: 'A' }))));

    const dnsperf = async (secs: number) => {
      const res = await runWithCpu('dnsperf', ['-s', PERF_DNS_IP, '-d', namesFile, '-l', String(secs), '-q', String(o.inflight), '-c', '1', '-T', '1'], { netns: o.netns, timeoutMs: secs * 1000 + 30_000, signal: o.signal });
      const p = parseDnsperf(res.stdout);
      return { qps: p.qps, lost: p.lost, cpuUsPerQuery: (res.cpuMs * 1000) / Math.max(1, p.completed) };
    };
    const agent = async () => {
      // the real CLI agent, as a scenario runs it, in the same namespace as dnsperf
      const args = dnsAgentArgs({ server: { host: PERF_DNS_IP, port: 53 }, names: namesFile, raw: true, inflight: o.inflight, workers: 1, sockets: 1, durationMs: seconds * 1000 });
      const res = await runWithCpu(process.execPath, [MAIN_JS, 'agent', 'dns', ...literalArgs(args)], { netns: o.netns, timeoutMs: seconds * 1000 + 30_000, signal: o.signal });
      const out = readDnsOutput(parseAgentOutput(res.stdout));
      const qps = out.metrics['dns.queries.rate']?.value ?? 0;
      const answered = out.info.answered;
      return { qps, timeouts: out.metrics['dns.queries.timeouts']?.value ?? 0, cpuUsPerQuery: (res.cpuMs * 1000) / Math.max(1, answered) };
    };

    // warm the cache (auth-zone answers land in the message cache) so round 1 is not special
    await dnsperf(2);
    const a: Array<Awaited<ReturnType<typeof agent>>> = [];
    const d: Array<Awaited<ReturnType<typeof dnsperf>>> = [];
    // alternate which tool goes first, so a drift in machine load favours neither
    for (let round = 0; round < o.rounds; round++) {
      if (o.signal?.aborted) throw new MeasurementError('interrupted');
      if (round % 2 === 0) {
        d.push(await dnsperf(seconds));
        a.push(await agent());
      } else {
        a.push(await agent());
        d.push(await dnsperf(seconds));
      }
    }
    const agentQps = summarize(a.map((r) => r.qps), 0);
    const dnsperfQps = summarize(d.map((r) => r.qps), 0);
    const med = (xs: number[]) => summarize(xs, 1).median;
    return {
      ratio: ratio(agentQps.median, dnsperfQps.median),
      agentQps, dnsperfQps,
      agentCpuUsPerQuery: med(a.map((r) => r.cpuUsPerQuery)),
      dnsperfCpuUsPerQuery: med(d.map((r) => r.cpuUsPerQuery)),
      agentTimeouts: a.reduce((s, r) => s + r.timeouts, 0),
      dnsperfLost: d.reduce((s, r) => s + r.lost, 0),
      services: o.services, inflight: o.inflight, durationMs: seconds * 1000, server: 'unbound, 1 thread',
    };
  } finally {
    await unbound?.stop();
    await deleteNetns(o.netns);
    await rm(dir, { recursive: true, force: true });
  }
}
