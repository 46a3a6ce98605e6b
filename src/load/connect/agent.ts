import { runAwaitMode } from './await-mode.js';
import { CONNECT_AGENT_DEFAULTS as D, type ConnectAgentOptions, type ConnectAgentOutput } from './contract.js';
import { runProbeMode } from './probe-mode.js';
import { runResolveMode } from './resolve-mode.js';

/**
 * The TCP connect agent: the same code runs in a local client namespace, in a kind pod and
 * in-process. Probe mode measures tcp.connect.latency; await mode measures when targets first
 * become reachable; resolve mode looks each target up by name before every connection. An abort ends it early with what was measured.
 */
export async function runConnectAgent(opts: ConnectAgentOptions, signal?: AbortSignal): Promise<ConnectAgentOutput> {
  if (opts.named) {
    return runResolveMode({ targets: opts.named, durationMs: opts.durationMs ?? D.durationMs, intervalMs: opts.intervalMs ?? D.resolveIntervalMs, attemptTimeoutMs: opts.attemptTimeoutMs ?? D.resolveAttemptTimeoutMs }, signal);
  }
  if (opts.await) {
    return runAwaitMode(
      {
        targets: opts.targets,
        timeoutMs: opts.timeoutMs,
        intervalMs: opts.intervalMs ?? D.intervalMs,
        attemptTimeoutMs: opts.attemptTimeoutMs ?? D.attemptTimeoutMs,
        maxRate: opts.maxRate ?? D.maxRate,
      },
      signal,
    );
  }
  return runProbeMode({ targets: opts.targets, probes: opts.probes, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs }, signal);
}
