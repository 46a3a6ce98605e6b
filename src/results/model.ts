/** The result model; run.json is its JSON form (schema: results/schema.ts, docs/architecture.md). */
import type { CapacityResult } from './capacity.js';

export type RunStatus = 'running' | 'completed' | 'partial' | 'failed';
export type VariantStatus = 'completed' | 'failed' | 'skipped';

export interface MetricResult {
  unit: string;
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  /** the headline figure: mean for distributions, the measured value for gauges */
  value: number;
  /** encoded HDR histogram (µs) for distributions, absent for gauges */
  hdr?: string;
  /** written by runs before 2026-12 (the capacity search's bracket as a standard error); no longer read */
  stderr?: number;
}

export type Series = Array<[number, number]>;

/**
 * A change the harness made while load ran (a rollout batch, a DNS instance replaced, a Service
 * recreated): marked on the time-series charts so errors can be read against it.
 */
export interface ChangeEvent {
  /** seconds since the variant started, on the series' clock */
  t: number;
  /** what changed, short ("batch 2/4: +2 ready, -2 removed") */
  label: string;
  /** the workload that made it */
  workload: string;
}

export interface VariantResult {
  id: string;
  params: Record<string, unknown>;
  repeat: number;
  status: VariantStatus;
  errors: string[];
  startedAt: string;
  finishedAt: string;
  metrics: Record<string, MetricResult>;
  series: Record<string, Series>;
  /** changes made during load, in time order (absent when none was made) */
  events?: ChangeEvent[];
  /** the DNS capacity search, when the variant ran one */
  capacity?: CapacityResult;
}

export interface Environment {
  kernel: string;
  cpus: number;
  memory: number;
  node: string;
  tools: Record<string, string>;
  /** set when the run was measured inside `discobench vm`: under TCG every timing is emulated */
  vm?: { accel: 'kvm' | 'tcg'; emulated: boolean };
}

export interface RunResult {
  schemaVersion: 1;
  runId: string;
  scenario: { name: string; description: string; file?: string; spec?: unknown };
  provider: string;
  status: RunStatus;
  startedAt: string;
  finishedAt?: string;
  environment: Environment;
  variants: VariantResult[];
}
