import { z } from 'zod';
import type { RunResult } from './model.js';

/**
 * run.json's schema, checked when report and compare read a run back. Strict where a reader
 * relies on the shape (versions, variants, metrics' figures), open where newer harnesses add
 * fields (loose objects): a run written by a later version of the same schema still renders.
 */
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const Metric = z.looseObject({
  unit: z.string(),
  count: z.number(),
  min: z.number(),
  mean: z.number(),
  p50: z.number(),
  p90: z.number(),
  p99: z.number(),
  p999: z.number(),
  max: z.number(),
  value: z.number(),
  hdr: z.string().optional(),
  stderr: finite.optional(),
});

const CapacityStep = z.looseObject({
  phase: z.enum(['ramp', 'narrow', 'confirm']),
  t: z.number(),
  offered: z.number(),
  achieved: z.number(),
  p99: z.number().nullable(),
  ok: z.boolean(),
  broke: z.array(z.string()),
});

const Capacity = z.looseObject({
  slo: z.looseObject({ p99Ms: z.number(), failures: z.number(), tolerance: z.number() }),
  stepMs: z.number(),
  outcome: z.string(),
  good: z.number().int().optional(),
  bad: z.number().int().optional(),
  steps: z.array(CapacityStep),
});

const Variant = z.looseObject({
  id: z.string(),
  params: z.record(z.string(), z.unknown()),
  repeat: z.number().int(),
  status: z.enum(['completed', 'failed', 'skipped']),
  errors: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string(),
  metrics: z.record(z.string(), Metric),
  series: z.record(z.string(), z.array(z.tuple([z.number(), z.number()]))),
  events: z.array(z.looseObject({ t: z.number(), label: z.string(), workload: z.string() })).optional(),
  capacity: Capacity.optional(),
});

export const RunSchema = z.looseObject({
  schemaVersion: z.literal(1),
  runId: z.string(),
  scenario: z.looseObject({ name: z.string(), description: z.string() }),
  provider: z.string(),
  status: z.enum(['running', 'completed', 'partial', 'failed']),
  startedAt: z.string(),
  finishedAt: z.string().optional(),
  environment: z.looseObject({ kernel: z.string(), cpus: z.number(), memory: z.number(), node: z.string(), tools: z.record(z.string(), z.string()) }),
  variants: z.array(Variant),
});

export const SCHEMA_VERSION: RunResult['schemaVersion'] = 1;

/** The problems of a parsed run.json, one "path: message" each (empty when it is valid). */
export function runProblems(data: unknown): string[] {
  if (data && typeof data === 'object' && 'schemaVersion' in data && data.schemaVersion !== SCHEMA_VERSION) {
    return [`schemaVersion: this discobench reads version ${SCHEMA_VERSION}, the file is version ${JSON.stringify(data.schemaVersion)}`];
  }
  const r = RunSchema.safeParse(data);
  if (r.success) return [];
  return r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
}
