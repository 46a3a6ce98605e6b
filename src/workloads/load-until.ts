/**
 * Load that a workload ends itself: the agent runs until `signal` (the run's Ctrl-C, or the
 * workload's own stop once its changes are done and settled), however long the changes take (a
 * kube-proxy sync rate-limited by its min sync period, or one under emulation, stretches them
 * past any length fixed up front). The agent's duration is only the bound for a run that hangs.
 */
export interface LoadUntil {
  signal: AbortSignal;
  /** ends the load (idempotent) */
  stop(): void;
}

export function loadUntilStopped(runSignal: AbortSignal): LoadUntil {
  const ac = new AbortController();
  return { signal: AbortSignal.any([runSignal, ac.signal]), stop: () => ac.abort() };
}

/** The agent's duration for load planned to last plannedMs but ended by a LoadUntil. */
export function hangBoundMs(plannedMs: number): number {
  return Math.max(10 * plannedMs, plannedMs + 30 * 60_000);
}
