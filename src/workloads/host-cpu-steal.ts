import { readFile } from 'node:fs/promises';
import type { MetricSink } from '../metrics/sink.js';
import { WORKLOAD_ORDER } from './index.js';
import type { Measurement, WorkloadContext } from './workload.js';

/** The machine's CPU time from /proc/stat's first line, in clock ticks: [steal, all]. */
export function cpuTicks(procStat: string): [steal: number, total: number] {
  const line = procStat.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no "cpu " line');
  // user nice system idle iowait irq softirq steal (guest and guest_nice are already in user and nice)
  const f = line.trim().split(/\s+/).slice(1, 9).map(Number);
  return [f[7] ?? 0, f.reduce((a, b) => a + b, 0)];
}

/** Ticks over every workload of a variant so far (one sink per variant). */
const totals = new WeakMap<MetricSink, [number, number]>();

/**
 * CPU the hypervisor gave to other guests while this machine was running the workloads
 * (/proc/stat's steal): on a shared VM it is why the same run measures differently twice, and a
 * figure measured while a neighbour took a fifth of the CPU is not one to compare with a quiet
 * run's. Recorded per variant as host.cpu.steal (share of all CPU time), over all its workloads.
 */
export class HostCpuSteal implements Measurement {
  readonly name = 'host-cpu-steal';
  readonly during = WORKLOAD_ORDER;
  private start0?: [number, number];

  async start(): Promise<void> {
    this.start0 = cpuTicks(await readFile('/proc/stat', 'utf8'));
  }

  async stop(ctx: WorkloadContext): Promise<void> {
    if (!this.start0) return;
    const [steal, total] = cpuTicks(await readFile('/proc/stat', 'utf8'));
    const prev = totals.get(ctx.sink) ?? [0, 0];
    const sum: [number, number] = [prev[0] + steal - this.start0[0], prev[1] + total - this.start0[1]];
    totals.set(ctx.sink, sum);
    if (sum[1] > 0) ctx.sink.set('host.cpu.steal', +(sum[0] / sum[1]).toFixed(4), sum[1]);
  }
}
