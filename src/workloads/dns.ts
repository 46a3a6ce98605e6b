import { MeasurementError } from '../core/errors.js';
import { buildNames } from '../dns/names.js';
import type { PodDnsConfig, PodDnsOption } from '../dns/pod-dns.js';
import { defaultResolvConf } from '../dns/resolver/conf.js';
import { inOneNamespace } from '../model/cluster.js';
import { dnsAgentArgs, POD_RESOLV_CONF, readDnsOutput, type DnsAgentRequest } from '../load/dns/contract.js';
import type { DnsWorkload } from '../scenario/schema.js';
import type { Workload, WorkloadContext, WorkloadFactory } from './workload.js';
import { scaled } from '../core/time-scale.js';

/** Fixed so every variant of a matrix looks up the same names. */
const NAMES_SEED = 1;

/**
 * The DNS configuration of a client pod under ClusterFirst (https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/),
 * with the workload's ndots and resolver options; options at the C library's defaults are left out, as a pod's dnsConfig would.
 */
export function podDnsConfig(nameserver: string, clientNamespace: string, zone: string, spec: Pick<DnsWorkload, 'ndots' | 'singleRequest' | 'timeout' | 'attempts'>): PodDnsConfig {
  const d = defaultResolvConf();
  const timeout = Math.max(1, Math.ceil(spec.timeout / 1000));
  const options: PodDnsOption[] = [
    ...(timeout !== d.timeout ? [{ name: 'timeout', value: String(timeout) }] : []),
    ...(spec.attempts !== d.attempts ? [{ name: 'attempts', value: String(spec.attempts) }] : []),
    ...(spec.singleRequest ? [{ name: 'single-request' }] : []),
  ];
  return {
    nameserver,
    search: [`${clientNamespace}.svc.${zone}`, `svc.${zone}`, zone],
    ndots: Array.isArray(spec.ndots) ? spec.ndots[0]! : spec.ndots,
    options,
  };
}

/** The agent reads the pod's own resolv.conf, which the provider wrote from podDnsConfig. */
export function dnsAgentRequest(nameserver: string, spec: DnsWorkload): DnsAgentRequest {
  const open = spec.qps > 0;
  return {
    server: { host: nameserver, port: 53 },
    names: { file: 'names' },
    resolvConf: POD_RESOLV_CONF,
    resolver: spec.resolver,
    durationMs: spec.duration,
    workers: spec.workers,
    expectFound: true,
    qps: spec.qps,
    // open loop: no in-flight cap of the closed loop's size, or slow lookups would queue behind it
    ...(open ? {} : { inflight: spec.inflight }),
  };
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
    // names as the cluster holds the Services: the existing provider puts them all in its one namespace
    const state = ctx.cluster.servicesNamespace ? inOneNamespace(ctx.state, ctx.cluster.servicesNamespace) : ctx.state;
    const names = buildNames(state, spec.names, spec.distinctNames, NAMES_SEED, ctx.cluster.clientNamespace);
    const dns = podDnsConfig(ctx.cluster.nameserver, ctx.cluster.clientNamespace, zone, spec);
    const files = { names: names.join('\n') + '\n' };
    const args = dnsAgentArgs(dnsAgentRequest(ctx.cluster.nameserver, spec));
    ctx.log(`dns: ${spec.clients} client(s), ${names.length} names, ndots ${dns.ndots}, ${spec.qps > 0 ? `${spec.qps} lookups/s each` : `${spec.inflight} in flight each`}, ${spec.duration} ms`);
    // the agent's own slack: lookups still in flight get up to timeout x attempts x candidates to finish
    const timeoutMs = spec.duration + scaled(60_000);
    const outs = await Promise.all(Array.from({ length: spec.clients }, (_, i) =>
      ctx.provider.runAgent({ agent: 'dns', args, files, dns, client: i % Math.max(1, ctx.cluster.clients), timeoutMs, signal: ctx.signal })));
    for (const raw of outs) {
      const out = readDnsOutput(raw);
      if (!out.metrics['dns.lookup.latency']) throw new MeasurementError('dns agent returned no dns.lookup.latency', 'see the agent output in the run log');
      ctx.sink.addAgentOutput(out);
    }
    const rate = ctx.sink.get('dns.lookups.rate');
    const qrate = ctx.sink.get('dns.queries.rate');
    ctx.log(`dns: ${rate?.toFixed(0)} lookups/s, ${qrate?.toFixed(0)} queries/s, ${(ctx.sink.get('dns.lookups.failed') ?? 0).toFixed(0)} failed`);
  }
}

export const dnsWorkload: WorkloadFactory = () => new DnsWorkloadImpl();
