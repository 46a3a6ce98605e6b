import { MeasurementError, messageOf } from '../core/errors.js';
import { httpAgentArgs, readHttpOutput } from '../load/http/contract.js';
import { formatTargets, type Target } from '../load/targets.js';
import type { ClusterState, Service } from '../model/cluster.js';
import { probeableServices, splitEvenly, spreadIndexes } from './targets.js';
import { HttpSpec } from '../scenario/schema.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';
import { scaled } from '../core/time-scale.js';

/** Room on top of the load's duration for an agent to start, connect and report. */
const AGENT_MARGIN_MS = 30_000;

/** ClusterIP and the Service's "http" port (else its first TCP port). */
export function httpTarget(s: Service): Target {
  const port = s.ports.find((p) => p.protocol === 'TCP' && p.name === 'http') ?? s.ports.find((p) => p.protocol === 'TCP');
  if (!port) throw new Error(`Service ${s.namespace}/${s.name} has no TCP port`);
  return { host: s.clusterIP, port: port.port };
}

export function pickHttpTargets(state: ClusterState, n: number): Target[] {
  const services = probeableServices(state);
  return spreadIndexes(services.length, n).map((i) => httpTarget(services[i]));
}

function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = xs.length === 0 ? 0 : by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/**
 * http.latency / http.rps / http.errors through ClusterIPs: `clients` agents load in parallel,
 * connections (and rate) split between them; each agent gets every target, rotated so the agents
 * start on different Services. Histograms merge exactly; rates add up since agents run at once.
 */
export class HttpLoadWorkload implements Workload {
  readonly name = 'http';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.http ?? HttpSpec.parse({});
    const targets = pickHttpTargets(ctx.state, spec.targets);
    if (targets.length === 0) throw new MeasurementError('http: no ClusterIP Service with a TCP port and a ready endpoint to load', 'set services.count > 0');
    const agents = Math.max(1, Math.min(spec.clients, spec.connections));
    const connections = splitEvenly(spec.connections, agents);
    const failures: string[] = [];
    if (spec.keepAlive && spec.connections < targets.length) {
      ctx.log(`http: keep-alive with ${spec.connections} connections reaches only ${spec.connections} of the ${targets.length} targets (raise connections, or set keepAlive: false to walk them all)`);
    }
    ctx.log(`http: ${spec.connections} connections (${spec.keepAlive ? 'keep-alive' : 'a new one per request'}) over ${targets.length} Services from ${agents} agent(s) for ${spec.duration} ms`);
    await Promise.all(
      connections.map(async (c, i) => {
        const rate = spec.rate > 0 ? (spec.rate * c) / spec.connections : 0;
        const args = httpAgentArgs({
          targets: { file: 'targets' },
          durationMs: spec.duration,
          connections: c,
          pipelining: spec.pipelining,
          workers: spec.workers,
          rate,
          keepAlive: spec.keepAlive,
        });
        try {
          const out = readHttpOutput(await ctx.provider.runAgent({
            agent: 'http',
            args,
            files: { targets: formatTargets(rotate(targets, Math.floor((i * targets.length) / agents))) },
            client: i % ctx.cluster.clients,
            timeoutMs: spec.duration + scaled(AGENT_MARGIN_MS),
            signal: ctx.signal,
          }));
          ctx.sink.addAgentOutput(out);
          const { info } = out;
          ctx.log(`http: agent ${i}: ${info.responses} responses, ${(out.metrics['http.rps']?.value ?? 0).toFixed(0)}/s, errors ${info.non2xx} non-2xx / ${info.connErrors} connection / ${info.timeouts} timeouts ${JSON.stringify(info.errorSamples)}`);
        } catch (err) {
          if (!ctx.signal.aborted) failures.push(`agent ${i}: ${messageOf(err)}`);
        }
      }),
    );
    if (failures.length > 0) throw new MeasurementError(`http agent failed: ${failures.join('; ')}`, undefined, failures);
  }
}

export const httpWorkload: WorkloadFactory = () => new HttpLoadWorkload();
