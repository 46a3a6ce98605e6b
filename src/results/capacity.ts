/**
 * The DNS capacity search's record in run.json (variant.capacity): every step as measured, the
 * SLO it was judged by, and the outcome. The headline figures are also metrics (dns.capacity.*)
 * so compare treats them like any other; this record is what the Capacity section and the ramp
 * chart are drawn from.
 */

export interface CapacitySlo {
  /** lookup p99 bound, ms */
  p99Ms: number;
  /** largest failed (or unfinished) share of lookups, and of queries timing out */
  failures: number;
  /** a step fails when achieved < offered x (1 - tolerance) */
  tolerance: number;
}

export interface CapacityStep {
  /** confirm: a breaking step measured again at the same rate */
  phase: 'ramp' | 'narrow' | 'confirm';
  /** seconds since the variant started, at the step's start */
  t: number;
  /** lookups/s asked of the agents (sum over clients) */
  offered: number;
  /** lookups/s that finished inside the step's window */
  achieved: number;
  lookups: number;
  /** lookups still in flight when the step ended (counted as failed and as above the p99 bound) */
  unfinished: number;
  p50: number;
  /** null when the unfinished lookups alone make up 1% or more: p99 lies above every finished lookup */
  p99: number | null;
  /** (failed + unfinished) / (lookups + unfinished) */
  failedRatio: number;
  /** query timeouts / queries sent */
  timeoutRatio: number;
  /** queries/s the cluster DNS servers counted (their own counters), when they report it */
  serverQueriesRate?: number;
  /** queries/s the agents sent */
  agentQueriesRate: number;
  /** cluster DNS CPU in cores over the step */
  serverCpu: number;
  /** all agents' CPU in cores over the step */
  agentCpu: number;
  /** the busiest agent's CPU as a share of its worker threads (1 = every thread busy) */
  agentSaturation: number;
  ok: boolean;
  /** why the step failed the SLO, one phrase per broken condition */
  broke: string[];
}

/**
 * slo: the SLO broke and a highest good rate was found. client-limit: the agents' CPU saturated
 * at the first failing step, so that rate is the load generator's ceiling, not the server's.
 * max-rate / max-steps: never broke within the limits (capacity is at least the best step).
 * below-start: even the lowest rate tried broke.
 */
export type CapacityOutcome = 'slo' | 'client-limit' | 'max-rate' | 'max-steps' | 'below-start';

export interface CapacityResult {
  slo: CapacitySlo;
  /** how long each step was held, ms */
  stepMs: number;
  ndots: number;
  nodeLocalDNS: boolean;
  dnsServer: string;
  dnsReplicas: number;
  /** agent threads: clients x workers */
  agentThreads: number;
  /** the peak (lookups/s) replicas are planned for; 0 when none was given */
  peak: number;
  outcome: CapacityOutcome;
  /** index into steps of the highest rate that met the SLO */
  good?: number;
  /** index into steps of the lowest rate that broke it */
  bad?: number;
  steps: CapacityStep[];
}

/**
 * Cluster DNS CPU-seconds a step must use for a per-core figure: /proc counts CPU in 10 ms ticks,
 * so 0.2 s is about +-5%; below it (a nearly idle server, e.g. behind NodeLocal DNSCache) lookups
 * per core would be a ratio of noise.
 */
export const MIN_CPU_SECONDS = 0.2;

export function perCoreMeasurable(step: CapacityStep, stepMs: number): boolean {
  return step.serverCpu * (stepMs / 1000) >= MIN_CPU_SECONDS;
}
