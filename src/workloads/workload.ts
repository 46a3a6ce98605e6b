import type { MetricSink } from '../metrics/sink.js';
import type { ClusterState } from '../model/cluster.js';
import type { ClusterInfo, Provider } from '../providers/provider.js';
import type { Scenario } from '../scenario/schema.js';

export interface WorkloadContext {
  runId: string;
  /** the variant's resolved scenario (matrix values applied, ndots a single value) */
  scenario: Scenario;
  provider: Provider;
  cluster: ClusterInfo;
  /** the Services currently programmed; workloads that change it must apply() through here */
  state: ClusterState;
  sink: MetricSink;
  signal: AbortSignal;
  log(message: string): void;
}

/** One kind of load (sync, connect, dns, http, churn), configured by scenario.workloads[name]. */
export interface Workload {
  readonly name: string;
  run(ctx: WorkloadContext): Promise<void>;
}

/**
 * Something observed while workloads run (DNS server CPU, proxy CPU). start() before the
 * workloads it applies to, stop() after; stop() writes its metrics into the sink.
 */
export interface Measurement {
  readonly name: string;
  /** workload names during which it runs */
  readonly during: readonly string[];
  start(ctx: WorkloadContext): Promise<void>;
  stop(ctx: WorkloadContext): Promise<void>;
}

export type WorkloadFactory = () => Workload;
export type MeasurementFactory = () => Measurement;
