import { MeasurementError } from '../core/errors.js';
import { buildNames } from '../dns/names.js';
import { defaultResolvConf, renderResolvConf } from '../dns/resolver/conf.js';
import type { AgentArg } from '../providers/provider.js';
import type { DnsWorkload } from '../scenario/schema.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';
import { scaled } from '../core/time-scale.js';

/** Fixed so every variant of a matrix looks up the same names. */
const NAMES_SEED = 1;

/** The resolv.conf a client pod gets under ClusterFirst (REFERENCE.md section 5), with the workload's options. */
export function podResolvConf(nameserver: string, clientNamespace: string, zone: string, spec: Pick<DnsWorkload, 'ndots' | 'singleRequest' | 'timeout' | 'attempts'>): string {
  const conf = defaultResolvConf();
  conf.nameservers = [nameserver];
  conf.search = [`${clientNamespace}.svc.${zone}`, `svc.${zone}`, zone];
  conf.ndots = Array.isArray(spec.ndots) ? spec.ndots[0]! : spec.ndots;
  conf.singleRequest = spec.singleRequest;
  conf.timeout = Math.max(1, Math.ceil(spec.timeout / 1000));
  conf.attempts = spec.attempts;
  return renderResolvConf(conf, { ndots: true });
}

export function dnsAgentArgs(nameserver: string, spec: DnsWorkload): AgentArg[] {
  const args: AgentArg[] = [
    '--server', `${nameserver}:53`, '--names', { file: 'names' }, '--resolv-conf', { file: 'resolv' },
    '--resolver', spec.resolver, '--duration', `${spec.duration}ms`, '--workers', String(spec.workers), '--expect-found', '--json',
  ];
  // open loop: no in-flight cap of the closed loop's size, or slow lookups would queue behind it
  if (spec.qps > 0) args.push('--qps', String(spec.qps));
  else args.push('--inflight', String(spec.inflight));
  return args;
}

/**
 * DNS flood: `clients` agents in parallel, each looking up the names mix through the glibc/musl
 * resolver emulation with the pod's resolv.conf, so search-list amplification is measured as
 * the cluster DNS sees it. Histograms merge exactly into the sink.
 */
class DnsWorkloadImpl implements Workload {
  readonly name = 'dns';

  async run(ctx: WorkloadContext): Promise<void> {
    const spec = ctx.scenario.workloads.dns;
    if (!spec) return;
    const zone = ctx.cluster.clusterDomain;
    const names = buildNames(ctx.state, spec.names, spec.distinctNames, NAMES_SEED, ctx.cluster.clientNamespace);
    const resolv = podResolvConf(ctx.cluster.nameserver, ctx.cluster.clientNamespace, zone, spec);
    const files = { names: names.join('\n') + '\n', resolv };
    const ndots = Array.isArray(spec.ndots) ? spec.ndots[0] : spec.ndots;
    ctx.log(`dns: ${spec.clients} client(s), ${names.length} names, ndots ${ndots}, ${spec.qps > 0 ? `${spec.qps} lookups/s each` : `${spec.inflight} in flight each`}, ${spec.duration} ms`);
    // the agent's own slack: lookups still in flight get up to timeout x attempts x candidates to finish
    const timeoutMs = spec.duration + scaled(60_000);
    const outs = await Promise.all(Array.from({ length: spec.clients }, (_, i) =>
      ctx.provider.runAgent({ agent: 'dns', args: dnsAgentArgs(ctx.cluster.nameserver, spec), files, client: i % Math.max(1, ctx.cluster.clients), timeoutMs, signal: ctx.signal })));
    for (const out of outs) {
      if (!out.metrics['dns.lookup.latency']) throw new MeasurementError('dns agent returned no dns.lookup.latency', 'see the agent output in the run log');
      ctx.sink.addAgentOutput(out);
    }
    const rate = ctx.sink.get('dns.lookups.rate');
    const qrate = ctx.sink.get('dns.queries.rate');
    ctx.log(`dns: ${rate?.toFixed(0)} lookups/s, ${qrate?.toFixed(0)} queries/s, ${(ctx.sink.get('dns.lookups.failed') ?? 0).toFixed(0)} failed`);
  }
}

export const dnsWorkload: WorkloadFactory = () => new DnsWorkloadImpl();
