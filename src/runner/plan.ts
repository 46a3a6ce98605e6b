import { formatDuration } from '../core/duration.js';
import type { Variant } from '../scenario/expand.js';
import type { Scenario } from '../scenario/schema.js';
import { rampRates } from '../workloads/capacity-search.js';
import { WORKLOAD_ORDER } from '../workloads/index.js';

/** Rough wall time of one variant's workloads, for the plan. */
function workloadSeconds(s: Scenario): number {
  const w = s.workloads;
  // capacity: a typical search (half its ramp steps, then its narrowing), ~1 s per agent start
  const capacity = w.capacity ? (Math.ceil(rampRates(w.capacity).length / 2) + w.capacity.refine) * ((w.capacity.step + w.capacity.pause) / 1000 + 1) : 0;
  return capacity + (w.dns?.duration ?? 0) / 1000 + (w.http?.duration ?? 0) / 1000 + (w.churn ? (w.churn.create * w.churn.interval) / 1000 : 0) + (w.connect ? 2 : 0) + (w.sync ? 1 : 0);
}

/** What --dry-run prints: the variants, the workloads and each cluster configuration's setup. */
export function describePlan(scenario: Scenario, variants: Variant[], setups: string[][]): string[] {
  const lines = [
    `scenario ${scenario.name}: ${scenario.description}`,
    `provider ${scenario.provider}; ${variants.length} variant(s) on ${setups.length} cluster configuration(s)`,
    `services: ${scenario.services.count} ClusterIP x ${scenario.services.endpointsPerService} endpoints, ${scenario.services.headless} headless, ${scenario.services.externalName} ExternalName, ${scenario.services.namespaces} namespaces`,
    `workloads: ${WORKLOAD_ORDER.filter((w) => scenario.workloads[w]).join(', ') || '(none)'}`,
    'variants:',
  ];
  const c = scenario.workloads.capacity;
  if (c) {
    const rates = rampRates(c).map((r) => Math.round(r).toLocaleString('en-US'));
    lines.splice(4, 0, `capacity: ramp ${rates.join(', ')}${rates.length < c.maxSteps ? '' : ' ...'} lookups/s, ${c.step} ms each, until p99 > ${c.slo.p99} ms, failures > ${c.slo.failures}, or achieved < offered - ${c.slo.tolerance * 100}%; then up to ${c.refine} narrowing steps`);
  }
  for (const v of variants) {
    const params = Object.entries(v.params).map(([k, val]) => `${k}=${String(val)}`).join(' ');
    lines.push(`  ${v.id}${params ? `  (${params})` : ''}  ~${formatDuration(Math.round(workloadSeconds(v.scenario) * 1000))}`);
  }
  setups.forEach((setup, i) => {
    lines.push(`cluster configuration ${i + 1}:`);
    lines.push(...setup.map((l) => `  ${l}`));
  });
  lines.push('dry run: nothing was created');
  return lines;
}
