import { MeasurementError, messageOf } from '../core/errors.js';
import { connectAgentArgs, readProbeOutput } from '../load/connect/contract.js';
import { formatTargets, type Target } from '../load/targets.js';
import { ConnectSpec } from '../scenario/schema.js';
import { pickTargets, splitEvenly } from './targets.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';
import { scaled } from '../core/time-scale.js';

/** One client's share of the targets, rotated so the clients don't all start on the same Service. */
function rotate<T>(xs: readonly T[], by: number): T[] {
  const k = xs.length === 0 ? 0 : by % xs.length;
  return [...xs.slice(k), ...xs.slice(0, k)];
}

/**
 * tcp.connect.latency through ClusterIPs: `targets` Services spread across the whole list (the
 * last ones included), `probes` new connections split over every client slot in parallel,
 * `concurrency` in flight in total. Agents' histograms merge exactly into the sink.
 */
export class ConnectWorkload implements Workload {
  readonly name = 'connect';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.connect ?? ConnectSpec.parse({});
    const targets = pickTargets(ctx.state, spec.targets);
    if (targets.length === 0) throw new MeasurementError('connect: no ClusterIP Service with a TCP port and a ready endpoint to probe', 'set services.count > 0');
    const clients = Math.max(1, Math.min(ctx.cluster.clients, spec.probes));
    const probes = splitEvenly(spec.probes, clients);
    const concurrency = splitEvenly(Math.max(spec.concurrency, clients), clients);
    ctx.log(`connect: ${spec.probes} probes over ${targets.length} Services from ${clients} client(s)`);
    const failures: string[] = [];
    await Promise.all(
      probes.map(async (n, client) => {
        const c = concurrency[client]!;
        const mine: Target[] = rotate(targets, Math.floor((client * targets.length) / clients));
        // every probe timing out is the slowest case; leave room for agent start-up on top
        const timeoutMs = Math.ceil(n / c) * spec.timeout + scaled(30_000);
        try {
          const out = readProbeOutput(await ctx.provider.runAgent({
            agent: 'connect',
            args: connectAgentArgs({ targets: { file: 'targets' }, probes: n, concurrency: c, timeoutMs: spec.timeout }),
            files: { targets: formatTargets(mine) },
            client,
            timeoutMs,
            signal: ctx.signal,
          }));
          ctx.sink.addAgentOutput(out);
          const failed = out.metrics['tcp.connect.failed'];
          ctx.log(`connect: client ${client}: ${out.metrics['tcp.connect.latency']?.count ?? 0} ok, ${failed?.value ?? 0} failed ${JSON.stringify(out.info.errors)}`);
        } catch (err) {
          if (!ctx.signal.aborted) failures.push(`client ${client}: ${messageOf(err)}`);
        }
      }),
    );
    if (failures.length > 0) throw new MeasurementError(`connect agent failed: ${failures.join('; ')}`, undefined, failures);
  }
}

export const connectWorkload: WorkloadFactory = () => new ConnectWorkload();
