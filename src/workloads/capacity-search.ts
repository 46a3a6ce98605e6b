/**
 * The capacity search as pure logic, apart from how a step is measured: judge a step against
 * the SLO, raise the offered rate by a factor until a step fails (or step down from the start
 * when the first one already fails), then bisect between the last good and the first bad rate.
 * resperf ramps continuously and reads the knee off a curve; discrete steps give each rate its
 * own histograms and counters, so every point on the chart is a complete measurement.
 */
import type { CapacityOutcome, CapacitySlo, CapacityStep } from '../results/capacity.js';

export interface SearchLimits {
  start: number;
  factor: number;
  maxRate: number;
  maxSteps: number;
  refine: number;
  resolution: number;
  /** agent CPU share of its threads at which the agent, not the server, is the limit */
  clientSaturation: number;
  /** the lowest rate worth stepping down to: below it a step holds too few lookups for a p99 */
  minRate?: number;
  /** a step that breaks the SLO is measured again this many times; it is bad only if every try breaks */
  confirm?: number;
}

/** What a step measured, before it is judged. */
export type StepMeasure = Omit<CapacityStep, 'ok' | 'broke' | 'phase'>;

const pct = (x: number) => `${Number((x * 100).toPrecision(2))}%`;
const num = (x: number) => Number(x.toPrecision(3)).toLocaleString('en-US');

/** The SLO conditions a step broke, as phrases for the report ("p99 31 ms > 20 ms"). */
export function judgeStep(m: StepMeasure, slo: CapacitySlo): string[] {
  const broke: string[] = [];
  if (m.p99 === null) broke.push(`p99 above every finished lookup (${m.unfinished} unfinished) > ${num(slo.p99Ms)} ms`);
  else if (m.p99 > slo.p99Ms) broke.push(`p99 ${num(m.p99)} ms > ${num(slo.p99Ms)} ms`);
  if (m.failedRatio > slo.failures) broke.push(`${pct(m.failedRatio)} of lookups failed > ${pct(slo.failures)}`);
  if (m.timeoutRatio > slo.failures) broke.push(`${pct(m.timeoutRatio)} of queries timed out > ${pct(slo.failures)}`);
  if (m.achieved < m.offered * (1 - slo.tolerance)) broke.push(`achieved ${num(m.achieved)}/s < offered ${num(m.offered)}/s - ${pct(slo.tolerance)}`);
  return broke;
}

export interface SearchResult {
  steps: CapacityStep[];
  outcome: CapacityOutcome;
  good?: number;
  bad?: number;
}

/**
 * Runs the search; measure(rate) holds one step at `rate` lookups/s. Stops early (keeping what
 * it has) when shouldStop() says so, e.g. on Ctrl-C.
 */
export async function searchCapacity(limits: SearchLimits, slo: CapacitySlo, measure: (rate: number, phase: CapacityStep['phase']) => Promise<StepMeasure>, shouldStop: () => boolean = () => false): Promise<SearchResult> {
  const steps: CapacityStep[] = [];
  const once = async (rate: number, phase: CapacityStep['phase']): Promise<number> => {
    const m = await measure(rate, phase);
    const broke = judgeStep(m, slo);
    steps.push({ phase, ...m, ok: broke.length === 0, broke });
    return steps.length - 1;
  };
  // On a shared machine one step can break the SLO for a reason outside the server (a pause of
  // the agent, a neighbour's burst); taken as the limit, that ends the ramp early and the
  // capacity swings from run to run. A breaking step is measured again: the rate is bad only
  // when every try breaks, and every try is kept in the steps (phase 'confirm').
  const take = async (rate: number, phase: CapacityStep['phase']): Promise<number> => {
    let i = await once(rate, phase);
    for (let c = 0; c < (limits.confirm ?? 0) && !steps[i]!.ok && !shouldStop(); c++) i = await once(rate, 'confirm');
    return i;
  };
  let good: number | undefined;
  let bad: number | undefined;
  let rate = limits.start;
  let hitMax = false;
  for (let n = 0; n < limits.maxSteps && !shouldStop(); n++) {
    const i = await take(rate, 'ramp');
    if (steps[i]!.ok) {
      good = i;
      if (bad !== undefined) break; // stepping down found a good rate under the first bad one
      if (rate >= limits.maxRate) { hitMax = true; break; }
      rate = Math.min(limits.maxRate, rate * limits.factor);
    } else {
      bad = i;
      if (good !== undefined) break;
      rate = rate / limits.factor; // the start rate already fails: look below it
      if (rate < (limits.minRate ?? 0)) break;
    }
  }
  // narrow: bisect the bracket until it is within the resolution or the refine budget is spent
  for (let n = 0; n < limits.refine && good !== undefined && bad !== undefined && !shouldStop(); n++) {
    const lo = steps[good]!.offered;
    const hi = steps[bad]!.offered;
    if ((hi - lo) / lo <= limits.resolution) break;
    const i = await take((lo + hi) / 2, 'narrow');
    if (steps[i]!.ok) good = i; else bad = i;
  }
  let outcome: CapacityOutcome;
  if (good === undefined) outcome = 'below-start';
  else if (bad === undefined) outcome = hitMax ? 'max-rate' : 'max-steps';
  else outcome = clientLimited(steps[bad]!, limits.clientSaturation) ? 'client-limit' : 'slo';
  return { steps, outcome, good, bad };
}

/** The first failing step is the load generator's limit when an agent's threads were all busy. */
export function clientLimited(s: CapacityStep, saturation: number): boolean {
  return s.agentSaturation >= saturation;
}

/** Rates the ramp would offer if nothing broke: what --dry-run prints. */
export function rampRates(limits: Pick<SearchLimits, 'start' | 'factor' | 'maxRate' | 'maxSteps'>): number[] {
  const out: number[] = [];
  for (let r = limits.start; out.length < limits.maxSteps; r = Math.min(limits.maxRate, r * limits.factor)) {
    out.push(r);
    if (r >= limits.maxRate) break;
  }
  return out;
}
