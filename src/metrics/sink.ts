import { metricInfo } from './catalog.js';
import { decode, distributionOf, newHistogram, record, encode, type Histogram } from './histogram.js';
import type { ChangeEvent, MetricResult, Series } from '../results/model.js';
import type { CapacityResult } from '../results/capacity.js';
import type { AgentOutput } from './agent-output.js';

/**
 * Collects one variant's samples. Distributions go into HDR histograms (merged exactly from
 * agents); gauges keep the last value set, counters sum with add(); series are [t, v] points
 * with t in seconds since the variant started.
 */
export class MetricSink {
  private readonly hists = new Map<string, Histogram>();
  private readonly gauges = new Map<string, { value: number; count: number }>();
  /** the capacity search's record, carried to the variant result as it is */
  capacity?: CapacityResult;
  private readonly seriesMap = new Map<string, Series>();
  private readonly eventList: ChangeEvent[] = [];
  private readonly t0 = Date.now();

  /** Non-finite values (a figure a provider could not measure) are dropped, never recorded. */
  observe(name: string, value: number): void {
    if (!Number.isFinite(value)) return;
    record(this.hist(name), value);
  }

  mergeHistogram(name: string, encoded: string): void {
    this.hist(name).add(decode(encoded));
  }

  /** counters: sums values (and how many events they count) */
  add(name: string, value: number, count = 1): void {
    const g = this.gauges.get(name) ?? { value: 0, count: 0 };
    g.value += value;
    g.count += count;
    this.gauges.set(name, g);
  }

  set(name: string, value: number, count = 1): void {
    if (!Number.isFinite(value)) return;
    this.gauges.set(name, { value, count });
  }

  attachCapacity(record: CapacityResult): void {
    this.capacity = record;
  }

  get(name: string): number | undefined {
    return this.gauges.get(name)?.value;
  }

  histogramCount(name: string): number {
    return this.hists.get(name)?.totalCount ?? 0;
  }

  point(name: string, value: number, time = Date.now()): void {
    if (!Number.isFinite(value)) return;
    const s = this.seriesMap.get(name) ?? [];
    s.push([+((time - this.t0) / 1000).toFixed(3), value]);
    this.seriesMap.set(name, s);
  }

  /** Marks a change made during load (time: ms since epoch) on the variant's time line. */
  event(workload: string, label: string, time = Date.now()): void {
    this.eventList.push({ t: +((time - this.t0) / 1000).toFixed(3), label, workload });
  }

  events(): ChangeEvent[] {
    return [...this.eventList].sort((a, b) => a.t - b.t);
  }

  /** Folds an agent's output in: histograms merge, counters add (rates are summed across agents). */
  addAgentOutput(out: AgentOutput): void {
    for (const [name, m] of Object.entries(out.metrics)) {
      if (m.hdr) this.mergeHistogram(name, m.hdr);
      else if (m.value !== undefined) this.add(name, m.value, m.count ?? 1);
    }
  }

  results(): Record<string, MetricResult> {
    const out: Record<string, MetricResult> = {};
    for (const [name, h] of this.hists) {
      if (h.totalCount === 0) continue;
      const d = distributionOf(h);
      out[name] = { unit: metricInfo(name).unit, ...d, value: d.mean, hdr: encode(h) };
    }
    for (const [name, g] of this.gauges) {
      const v = g.value;
      out[name] = { unit: metricInfo(name).unit, count: g.count, min: v, mean: v, p50: v, p90: v, p99: v, p999: v, max: v, value: v };
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  series(): Record<string, Series> {
    return Object.fromEntries(this.seriesMap);
  }

  private hist(name: string): Histogram {
    let h = this.hists.get(name);
    if (!h) {
      h = newHistogram();
      this.hists.set(name, h);
    }
    return h;
  }
}
