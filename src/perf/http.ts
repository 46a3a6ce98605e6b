import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTools, run, spawnProcess } from '../core/exec.js';
import { MeasurementError } from '../core/errors.js';
import { prepareBackend } from '../load/http/backend.js';
import { runWithCpu } from '../core/child-cpu.js';
import { readHttpOutput, type HttpAgentInfo, type HttpAgentOptions, type HttpAgentOutput } from '../load/http/contract.js';
import { parseAgentOutput } from '../metrics/agent-output.js';
import { addClusterIP, createLab, deleteLab, labEndpoint, waitListening } from '../load/http/lab.js';
import { median } from './stats.js';

/**
 * The HTTP agent against wrk on the same path (`http.agent_vs_wrk`):
 * client namespace -> node namespace (an iptables DNAT ClusterIP rule, as kube-proxy's iptables
 * mode installs) -> backend namespace (nginx on an AnyIP endpoint range). Same connections, same
 * duration, run one after the other, never at once.
 */
export interface HttpVsWrkOptions {
  /** namespace prefix of the lab (lab.ts), deleted afterwards */
  prefix: string;
  connections: number;
  durationMs: number;
  keepAlive: boolean;
  /** agent worker threads */
  workers: number;
  /** wrk threads */
  wrkThreads: number;
  /** nginx worker processes */
  backendWorkers: number;
  /** alternating wrk/agent rounds; medians are compared */
  rounds: number;
}

export interface HttpVsWrkResult {
  agentRps: number;
  wrkRps: number;
  ratio: number;
  /** each round's figures */
  agentRuns: number[];
  wrkRuns: number[];
  agentErrors: number;
  wrkErrors: number;
  /** client CPU (user+system, all threads) per completed request: efficiency, whatever the neighbours do */
  agentCpuUsPerRequest: number;
  wrkCpuUsPerRequest: number;
  agentInfo: HttpAgentInfo;
}

export const PERF_CLUSTER_IP = '10.96.0.100';
const AGENT_JS = fileURLToPath(new URL('../load/http/agent.js', import.meta.url));

/** wrk prints "Requests/sec:  12345.67"; errors on a "Socket errors" and a "Non-2xx" line. */
export function parseWrk(text: string): { rps: number; errors: number; requests: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1]);
  if (!Number.isFinite(rps)) throw new MeasurementError(`wrk printed no Requests/sec: ${text.slice(0, 300)}`);
  const sock = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (sock ? sock.slice(1).reduce((a, v) => a + Number(v), 0) : 0) + non2xx;
  const requests = Number(/(\d+) requests in/.exec(text)?.[1] ?? 0);
  return { rps, errors, requests };
}

/**
 * Runs runHttpAgent in a child process inside netns (an agent must live in the client namespace;
 * a script file rather than `node -e` because worker threads inherit the parent's flags).
 */
export async function runAgentInNetns(netns: string, dir: string, opts: HttpAgentOptions, signal?: AbortSignal): Promise<HttpAgentOutput> {
  const script = join(dir, `agent-${process.pid}-${Date.now()}.mjs`);
  await writeFile(script, `import { runHttpAgent } from ${JSON.stringify(AGENT_JS)};
const out = await runHttpAgent(${JSON.stringify(opts)});
process.stdout.write(JSON.stringify(out) + '\\n');\n`);
  try {
    const res = await run(process.execPath, [script], { netns, timeoutMs: opts.durationMs + 30_000, signal });
    return readHttpOutput(parseAgentOutput(res.stdout));
  } finally {
    await rm(script, { force: true });
  }
}


export async function measureHttpVsWrk(o: HttpVsWrkOptions): Promise<HttpVsWrkResult> {
  await requireTools(['ip', 'iptables', 'wrk', 'nginx', 'ss']);
  const dir = await mkdtemp(join(tmpdir(), 'disco-httpperf-'));
  const lab = await createLab(o.prefix, 1);
  await addClusterIP(lab, PERF_CLUSTER_IP, 80, [{ ip: labEndpoint(0), port: 8080 }]);
  const cmd = await prepareBackend(dir, { port: 8080, workers: o.backendWorkers });
  const nginx = spawnProcess(cmd.file, cmd.args, { netns: lab.backends[0] });
  try {
    await waitListening(lab.backends[0], 8080);
    const seconds = Math.max(1, Math.round(o.durationMs / 1000));
    const url = `http://${PERF_CLUSTER_IP}:80/`;
    const wrkArgs = ['-t', String(o.wrkThreads), '-c', String(o.connections), '-d', `${seconds}s`, ...(o.keepAlive ? [] : ['-H', 'Connection: close']), url];
    const wrkRuns: Array<{ rps: number; errors: number; cpuUsPerRequest: number }> = [];
    const agentRuns: Array<{ rps: number; errors: number; info: HttpAgentInfo; cpuUsPerRequest: number }> = [];
    const settle = () => new Promise((r) => setTimeout(r, 500)); // sockets of the previous run drain
    // alternate the two tools so a noisy neighbour on the machine hits both alike; medians compared
    for (let round = 0; round < o.rounds; round++) {
      const w = await runWithCpu('wrk', wrkArgs, { netns: lab.client, timeoutMs: o.durationMs + 30_000 });
      const parsed = parseWrk(w.stdout);
      wrkRuns.push({ ...parsed, cpuUsPerRequest: (w.cpuMs * 1000) / Math.max(1, parsed.requests) });
      await settle();
      const out = await runAgentInNetns(lab.client, dir, {
        targets: [{ host: PERF_CLUSTER_IP, port: 80 }], durationMs: seconds * 1000, connections: o.connections,
        keepAlive: o.keepAlive, pipelining: 1, rate: 0, workers: o.workers, timeoutMs: 5000,
      });
      agentRuns.push({ rps: out.metrics['http.rps']?.value ?? 0, errors: out.metrics['http.errors']?.value ?? 0, info: out.info, cpuUsPerRequest: (out.info.cpuMs * 1000) / Math.max(1, out.info.responses) });
      await settle();
    }
    const agentRps = median(agentRuns.map((r) => r.rps));
    const wrkRps = median(wrkRuns.map((r) => r.rps));
    return {
      agentRps, wrkRps, ratio: agentRps / wrkRps,
      agentRuns: agentRuns.map((r) => Math.round(r.rps)), wrkRuns: wrkRuns.map((r) => Math.round(r.rps)),
      agentErrors: agentRuns.reduce((a, r) => a + r.errors, 0), wrkErrors: wrkRuns.reduce((a, r) => a + r.errors, 0),
      agentInfo: agentRuns[agentRuns.length - 1].info,
      agentCpuUsPerRequest: median(agentRuns.map((r) => r.cpuUsPerRequest)),
      wrkCpuUsPerRequest: median(wrkRuns.map((r) => r.cpuUsPerRequest)),
    };
  } finally {
    if (nginx.pid) {
      try { process.kill(-nginx.pid, 'SIGTERM'); } catch { /* already gone */ }
    }
    await nginx.catch(() => undefined);
    await deleteLab(o.prefix, 1);
    await rm(dir, { recursive: true, force: true });
  }
}
