import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InterruptedError, PrerequisiteError } from '../core/errors.js';
import { newRunId, utcStamp } from '../core/ids.js';
import type { Registry } from '../core/registry.js';
import { providers } from '../providers/index.js';
import { clusterDemand, type Provider, type ProviderContext, type ProviderEntry } from '../providers/provider.js';
import type { RunResult } from '../results/model.js';
import { RunWriter } from '../results/writer.js';
import { clusterKey, expandVariants, type Variant } from '../scenario/expand.js';
import { loadScenario } from '../scenario/load.js';
import { environment } from './environment.js';
import { describePlan } from './plan.js';
import { runVariant } from './variant.js';

export interface BenchOptions {
  scenario: string;
  sets?: string[];
  provider?: string;
  repeat?: number;
  out: string;
  dryRun?: boolean;
  keep?: boolean;
  context?: string;
  yes?: boolean;
  signal: AbortSignal;
  log(message: string): void;
  /**
   * Called before the run creates anything, with what removes all of it at once (the
   * provider's own clean by run id), for a second Ctrl-C.
   */
  onStarted?(run: { runId: string; clean(): Promise<string[]> }): void;
  /** where the provider is looked up (tests: one holding providers with recorded commands) */
  registry?: Registry<ProviderEntry>;
}

export interface BenchOutcome {
  dir?: string;
  run?: RunResult;
  plan?: string[];
  /** prerequisite failures of configurations that were skipped (the CLI exits 4 after printing the directory) */
  skipped?: PrerequisiteError[];
}

/**
 * Loads and expands the scenario (nothing touched yet), checks every cluster configuration's
 * prerequisites, then brings each configuration up once and runs its variants, writing all
 * results after every variant. Teardown always runs.
 */
export async function runBench(opts: BenchOptions): Promise<BenchOutcome> {
  const sets = [...(opts.sets ?? [])];
  if (opts.provider) sets.push(`provider=${opts.provider}`);
  if (opts.repeat !== undefined) sets.push(`repeat=${opts.repeat}`);
  const loaded = loadScenario(opts.scenario, sets);
  const scenario = loaded.scenario;
  const variants = expandVariants(scenario, opts.scenario);
  const runId = newRunId();
  const entry = (opts.registry ?? providers).require(scenario.provider);
  const factory = entry.create;
  const workDir = join(tmpdir(), `discobench-${runId}`);
  const pctx: ProviderContext = { runId, workDir, log: opts.log, options: { keep: opts.keep, context: opts.context, yes: opts.yes }, signal: opts.signal };
  const groups = groupByCluster(variants);
  if (opts.dryRun) return { plan: describePlan(scenario, variants, groups.map((g) => factory(pctx).describe(g[0]!.scenario.cluster, clusterDemand(g.map((v) => v.scenario))))) };

  // every configuration is checked before anything is created; a matrix whose some
  // configurations can't run here (ipvs without ip_vs) runs the others and exits 4 at the end
  const runnable: Variant[][] = [];
  const skipped: Array<[Variant[], PrerequisiteError]> = [];
  for (const group of groups) {
    try {
      await factory(pctx).check(group[0]!.scenario.cluster);
      runnable.push(group);
    } catch (err) {
      if (!(err instanceof PrerequisiteError)) throw err;
      skipped.push([group, err]);
    }
  }
  if (runnable.length === 0) throw skipped[0]![1];
  const release = entry.claim?.(runId) ?? (() => undefined);
  opts.onStarted?.({ runId, clean: () => entry.clean(runId, { context: opts.context, log: opts.log }) });
  const writer = RunWriter.create(opts.out, utcStamp(), scenario.name);
  const run: RunResult = {
    schemaVersion: 1, runId, provider: scenario.provider, status: 'running', startedAt: new Date().toISOString(),
    scenario: { name: scenario.name, description: scenario.description, file: loaded.file, spec: loaded.raw },
    environment: await environment(), variants: [],
  };
  const problems: string[] = [];
  opts.log(`run ${runId}: ${variants.length} variant(s) of ${scenario.name} on ${scenario.provider}; results in ${writer.dir}`);
  for (const [group, err] of skipped) {
    opts.log(`skipping ${group.length} variant(s): ${err.message}`);
    const now = new Date().toISOString();
    for (const v of group) run.variants.push({ id: v.id, params: v.params, repeat: v.repeat, status: 'skipped', errors: [`prerequisite missing: ${err.message}`], startedAt: now, finishedAt: now, metrics: {}, series: {} });
  }
  await writer.write(run);
  try {
    for (const group of runnable) {
      if (opts.signal.aborted) break;
      await runGroup(factory(pctx), group, run, writer, opts, problems);
    }
  } finally {
    release();
  }
  const failed = run.variants.filter((v) => v.status === 'failed').length;
  run.status = opts.signal.aborted || (skipped.length > 0 && failed === 0) ? 'partial' : failed > 0 ? 'failed' : 'completed';
  run.finishedAt = new Date().toISOString();
  problems.push(...(await writer.write(run, { final: !opts.signal.aborted })));
  for (const p of problems) opts.log(`warning: ${p}`);
  if (opts.signal.aborted) throw new InterruptedError(`interrupted: ${run.variants.length} of ${variants.length} variant(s) kept in ${writer.dir}`);
  return { dir: writer.dir, run, skipped: skipped.map(([, err]) => err) };
}

function groupByCluster(variants: Variant[]): Variant[][] {
  const map = new Map<string, Variant[]>();
  for (const v of variants) map.set(clusterKey(v), [...(map.get(clusterKey(v)) ?? []), v]);
  return [...map.values()];
}

async function runGroup(provider: Provider, group: Variant[], run: RunResult, writer: RunWriter, opts: BenchOptions, problems: string[]): Promise<void> {
  const cluster = group[0]!.scenario.cluster;
  try {
    opts.log(`cluster: ${provider.name}, proxy ${cluster.proxy}${cluster.nodeLocalDNS ? ', NodeLocal DNSCache' : ''}`);
    const info = await provider.up(cluster, clusterDemand(group.map((v) => v.scenario)));
    Object.assign(run.environment.tools, info.tools);
    for (const variant of group) {
      if (opts.signal.aborted) break;
      opts.log(`variant ${variant.id}`);
      const result = await runVariant({ runId: run.runId, variant, provider, cluster: info, signal: opts.signal, log: opts.log });
      run.variants.push(result);
      for (const e of result.errors) opts.log(`  error: ${e}`);
      problems.push(...(await writer.write(run)));
    }
  } catch (err) {
    if (opts.signal.aborted) return;
    const message = err instanceof Error ? err.message : String(err);
    for (const variant of group.filter((v) => !run.variants.some((r) => r.id === v.id))) {
      const now = new Date().toISOString();
      run.variants.push({ id: variant.id, params: variant.params, repeat: variant.repeat, status: 'failed', errors: [`cluster setup: ${message}`], startedAt: now, finishedAt: now, metrics: {}, series: {} });
    }
    await writer.write(run);
    opts.log(`error: ${message}`);
  } finally {
    await provider.down().catch((err: unknown) => opts.log(`warning: teardown: ${err instanceof Error ? err.message : String(err)}`));
  }
}
