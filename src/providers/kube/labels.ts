/**
 * Everything a Kubernetes run creates carries these labels, so `clean` finds leftovers of an
 * interrupted run by label (kube-burner's practice) instead of guessing from names.
 */
export const MANAGED_BY = 'app.kubernetes.io/managed-by';
export const MANAGER = 'discobench';
export const RUN_ID = 'discobench.io/run-id';

export function runLabels(runId: string): Record<string, string> {
  return { [MANAGED_BY]: MANAGER, [RUN_ID]: runId };
}

export function runSelector(runId?: string): string {
  return runId ? `${MANAGED_BY}=${MANAGER},${RUN_ID}=${runId}` : `${MANAGED_BY}=${MANAGER}`;
}

/** kind cluster of a run: the context kind creates is kind-<name>. */
export function kindClusterName(runId: string): string {
  return `disco-${runId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 40);
}

/** The one namespace the existing provider puts everything in. */
export function runNamespace(runId: string): string {
  return `discobench-${runId}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 63);
}
