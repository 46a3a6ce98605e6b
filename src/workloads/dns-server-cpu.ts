import type { ProviderSample } from '../providers/provider.js';
import type { Measurement, WorkloadContext } from './workload.js';

const INTERVAL_MS = 500;

/** When a sample's CPU counters were true: their source's stamp, else the sampling instant. */
const cpuTime = (s: ProviderSample): number => s.cpuTime ?? s.time;

/**
 * CPU of the cluster DNS servers while the DNS workload runs, from the provider's cumulative
 * counters (local: /proc/<pid>/stat of each Unbound; kind: cAdvisor). The headline figure is
 * CPU-seconds over the window in which the servers were answering queries (sample intervals with
 * a query delta), so agent start-up does not dilute it; where the server reports no query counts
 * the whole workload window is used.
 */
export class DnsServerCpu implements Measurement {
  readonly name = 'dns-server-cpu';
  readonly during = ['dns'] as const;
  private samples: ProviderSample[] = [];
  private timer?: NodeJS.Timeout;
  private pending?: Promise<void>;

  async start(ctx: WorkloadContext): Promise<void> {
    this.samples = [await ctx.provider.sample()];
    this.timer = setInterval(() => {
      this.pending ??= ctx.provider.sample().then((s) => { this.record(ctx, s); }, () => undefined).finally(() => { this.pending = undefined; });
    }, INTERVAL_MS);
  }

  private record(ctx: WorkloadContext, s: ProviderSample): void {
    const prev = this.samples[this.samples.length - 1]!;
    this.samples.push(s);
    // rates over the instants the counters were read at (kubelet stats are cached: a scrape can
    // repeat the last one, which is no interval at all, not an idle one)
    const dt = (cpuTime(s) - cpuTime(prev)) / 1000;
    if (dt > 0) ctx.sink.point('dns.server.cpu', +((s.dnsServerCpuSeconds - prev.dnsServerCpuSeconds) / dt).toFixed(4), s.time);
    if (dt > 0 && s.proxyCpuSeconds !== undefined && prev.proxyCpuSeconds !== undefined) ctx.sink.point('proxy.cpu', +((s.proxyCpuSeconds - prev.proxyCpuSeconds) / dt).toFixed(4), s.time);
  }

  async stop(ctx: WorkloadContext): Promise<void> {
    clearInterval(this.timer);
    await this.pending;
    this.record(ctx, await ctx.provider.sample());
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const cpu = last.dnsServerCpuSeconds - first.dnsServerCpuSeconds;
    let activeMs = 0;
    const counted = first.dnsServerQueries !== undefined;
    for (let i = 1; i < this.samples.length; i++) {
      const a = this.samples[i - 1]!;
      const b = this.samples[i]!;
      // on the counters' own clock: a cached kubelet reading repeated by a scrape adds no time
      if (!counted || (b.dnsServerQueries ?? 0) > (a.dnsServerQueries ?? 0)) activeMs += Math.max(0, cpuTime(b) - cpuTime(a));
    }
    if (first.cpuTime !== undefined && cpuTime(last) <= cpuTime(first)) ctx.log('dns-server-cpu: the CPU counters did not refresh during the DNS workload (kubelet stats are cached); no dns.server.cpu recorded');
    const span = cpuTime(last) - cpuTime(first);
    if (span > 0 && first.proxyCpuSeconds !== undefined && last.proxyCpuSeconds !== undefined) {
      ctx.sink.set('proxy.cpu', +((last.proxyCpuSeconds - first.proxyCpuSeconds) / (span / 1000)).toFixed(4), this.samples.length - 1);
    }
    const queries = counted ? (last.dnsServerQueries ?? 0) - (first.dnsServerQueries ?? 0) : undefined;
    if (activeMs > 0) ctx.sink.set('dns.server.cpu', +(cpu / (activeMs / 1000)).toFixed(4), this.samples.length - 1);
    if (queries !== undefined && queries > 0) {
      ctx.sink.set('dns.server.cpu_per_kqps', +(cpu / (queries / 1000)).toFixed(6), queries);
      ctx.sink.set('dns.server.queries', queries, queries);
    }
    if (first.cacheHits !== undefined && last.cacheHits !== undefined) {
      const hits = last.cacheHits - first.cacheHits;
      const misses = (last.cacheMisses ?? 0) - (first.cacheMisses ?? 0);
      if (hits + misses > 0) ctx.sink.set('dns.cache.hit_ratio', +(hits / (hits + misses)).toFixed(4), hits + misses);
    }
  }
}
