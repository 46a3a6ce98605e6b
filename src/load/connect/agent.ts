import type { AgentOutput } from '../agent-output.js';
import { runAwaitMode } from './await-mode.js';
import { runProbeMode } from './probe-mode.js';
import type { Target } from '../targets.js';

export interface ConnectAgentOptions {
  targets: readonly Target[];
  /** probe mode: new connections in total */
  probes: number;
  /** probe mode: connections in flight */
  concurrency: number;
  /** probe mode: one connect's limit; await mode: the overall limit */
  timeoutMs: number;
  /** await mode: probe every target until it first answers (programming latency) */
  await: boolean;
  /** await mode: a new attempt per target this often */
  intervalMs?: number;
  /** await mode: one attempt's limit */
  attemptTimeoutMs?: number;
  /** await mode: attempts per second across all unreached targets */
  maxRate?: number;
}

export const DEFAULT_AWAIT_INTERVAL_MS = 5;
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 100;
/**
 * 2000 attempts/s across the targets still unreached: 5 ms per target for up to 10 targets,
 * 15 ms for 30. Each attempt costs the agent CPU (a churn run with 30 targets at 5 ms each
 * saturated its event loop on a loaded 2-core node), and that CPU is taken from the proxy
 * being measured; info.maxAttemptGapMs reports the resolution actually achieved.
 */
export const DEFAULT_AWAIT_MAX_RATE = 2000;

/**
 * The TCP connect agent: the same code runs in a local client namespace, in a kind pod and
 * in-process. Probe mode measures tcp.connect.latency; await mode measures when targets first
 * become reachable. An abort ends it early with what was measured.
 */
export async function runConnectAgent(opts: ConnectAgentOptions, signal?: AbortSignal): Promise<AgentOutput> {
  if (opts.await) {
    return runAwaitMode(
      {
        targets: opts.targets,
        timeoutMs: opts.timeoutMs,
        intervalMs: opts.intervalMs ?? DEFAULT_AWAIT_INTERVAL_MS,
        attemptTimeoutMs: opts.attemptTimeoutMs ?? DEFAULT_ATTEMPT_TIMEOUT_MS,
        maxRate: opts.maxRate ?? DEFAULT_AWAIT_MAX_RATE,
      },
      signal,
    );
  }
  return runProbeMode({ targets: opts.targets, probes: opts.probes, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs }, signal);
}
