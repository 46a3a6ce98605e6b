/**
 * The batches of a Deployment rollout, as the Deployment controller sizes them: new pods are
 * scaled up while old + new stays within replicas + maxSurge, old pods scaled down while the
 * available ones stay at least replicas - maxUnavailable. New pods count as available at once
 * (the harness starts their backends before it adds them ready).
 */
export interface RolloutBatch {
  /** new endpoints started and added ready */
  start: number;
  /** old endpoints taken out (terminating, then removed) */
  stop: number;
}

export function rolloutBatches(replicas: number, maxSurge: number, maxUnavailable: number): RolloutBatch[] {
  if (maxSurge + maxUnavailable < 1) throw new Error('maxSurge + maxUnavailable must be at least 1');
  let old = replicas;
  let fresh = 0;
  const batches: RolloutBatch[] = [];
  while (old > 0 || fresh < replicas) {
    const start = Math.max(0, Math.min(replicas - fresh, replicas + maxSurge - (old + fresh)));
    fresh += start;
    const stop = Math.max(0, Math.min(old, old + fresh - (replicas - maxUnavailable)));
    old -= stop;
    if (start === 0 && stop === 0) throw new Error(`rollout stuck at ${old} old / ${fresh} new`);
    batches.push({ start, stop });
  }
  return batches;
}
