import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { MeasurementError } from '../../core/errors.js';
import { requireTools, run, spawnProcess } from '../../core/exec.js';
import { parseAgentOutput } from '../agent-output.js';

/**
 * The DNS agent's performance target (DESIGN.md section 9): closed-loop QPS against the same
 * Unbound as dnsperf, same in-flight queries, measured side by side in a private namespace,
 * rounds alternating so both see the same machine. Ratio = median agent QPS / median dnsperf QPS.
 */
export interface DnsPerfOptions {
  workDir: string;
  durationMs?: number;
  inflight?: number;
  workers?: number;
  rounds?: number;
  names?: number;
  /** the node entry whose arguments start with `agent dns` (default: the discobench CLI) */
  agentEntry?: string[];
  log?(message: string): void;
}

export interface DnsPerfResult {
  ratio: number;
  agentQps: number;
  dnsperfQps: number;
  rounds: { dnsperf: number; agent: number }[];
  inflight: number;
  workers: number;
  durationMs: number;
}

const IP = '10.78.53.1';

function unboundConf(dir: string, names: number): { conf: string; namesFile: string } {
  const lines = [
    'server:', `  interface: ${IP}`, '  port: 53', '  do-ip6: no', '  do-daemonize: no', '  use-syslog: no', '  logfile: ""',
    '  username: ""', '  chroot: ""', `  directory: "${dir}"`, '  pidfile: ""', '  access-control: 0.0.0.0/0 allow',
    '  num-threads: 1', '  verbosity: 0', '  so-rcvbuf: 4m', '  so-sndbuf: 4m', '  local-zone: "cluster.local." static',
  ];
  const q: string[] = [];
  for (let i = 0; i < names; i++) {
    const n = `svc-${i}.bench-${i % 10}.svc.cluster.local`;
    lines.push(`  local-data: "${n}. 30 IN A 10.96.${1 + (i >> 8)}.${i & 255}"`);
    q.push(`${n} A`);
  }
  const conf = join(dir, 'unbound.conf');
  const namesFile = join(dir, 'names.txt');
  writeFileSync(conf, lines.join('\n') + '\n');
  writeFileSync(namesFile, q.join('\n') + '\n');
  return { conf, namesFile };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function compareWithDnsperf(o: DnsPerfOptions): Promise<DnsPerfResult> {
  await requireTools(['ip', 'unbound', 'dnsperf']);
  const durationMs = o.durationMs ?? 10_000;
  const inflight = o.inflight ?? 64;
  const workers = o.workers ?? 1;
  const rounds = o.rounds ?? 3;
  const ns = `disco-perfdns-${process.pid}`;
  const dir = join(o.workDir, 'dns-perf');
  mkdirSync(dir, { recursive: true });
  const { conf, namesFile } = unboundConf(dir, o.names ?? 1000);
  const entry = o.agentEntry ?? [fileURLToPath(new URL('../../cli/main.js', import.meta.url)), 'agent', 'dns'];
  let unbound: ReturnType<typeof spawnProcess> | undefined;
  try {
    await run('ip', ['netns', 'add', ns]);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    await run('ip', ['-n', ns, 'addr', 'add', `${IP}/32`, 'dev', 'lo']);
    unbound = spawnProcess('unbound', ['-d', '-c', conf], { netns: ns });
    // ready once it answers
    for (let i = 0; ; i++) {
      const probe = await run('dnsperf', ['-s', IP, '-d', namesFile, '-n', '1', '-t', '1'], { netns: ns, reject: false });
      if (/Queries completed:\s+[1-9]/.test(probe.stdout)) break;
      if (i > 30) throw new MeasurementError('unbound for the DNS perf comparison did not answer', probe.stdout + probe.stderr);
      await sleep(200);
    }
    const secs = Math.max(1, Math.round(durationMs / 1000));
    const out: { dnsperf: number; agent: number }[] = [];
    for (let r = 0; r < rounds; r++) {
      const d = await run('dnsperf', ['-s', IP, '-d', namesFile, '-l', String(secs), '-q', String(inflight)], { netns: ns });
      const m = /Queries per second:\s+([\d.]+)/.exec(d.stdout);
      if (!m) throw new MeasurementError('dnsperf printed no "Queries per second"', d.stdout.slice(-300));
      const a = await run('node', [...entry, '--server', `${IP}:53`, '--names', namesFile, '--raw', '--inflight', String(inflight), '--workers', String(workers), '--duration', `${secs}s`, '--json'], { netns: ns });
      const agent = parseAgentOutput(a.stdout).metrics['dns.queries.rate']?.value ?? 0;
      out.push({ dnsperf: Number(m[1]), agent });
      o.log?.(`dns perf round ${r + 1}: dnsperf ${Number(m[1]).toFixed(0)} q/s, agent ${agent.toFixed(0)} q/s`);
    }
    const dnsperfQps = median(out.map((x) => x.dnsperf));
    const agentQps = median(out.map((x) => x.agent));
    return { ratio: dnsperfQps > 0 ? agentQps / dnsperfQps : 0, agentQps, dnsperfQps, rounds: out, inflight, workers, durationMs: secs * 1000 };
  } finally {
    if (unbound?.pid) try { process.kill(-unbound.pid, 'SIGTERM'); } catch { /* gone */ }
    await run('ip', ['netns', 'delete', ns], { reject: false });
  }
}
