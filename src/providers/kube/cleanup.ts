import { PrerequisiteError, UsageError } from '../../core/errors.js';
import { guardContext } from './guard.js';
import { connectKube, type KubeApiFactory } from './connect.js';
import { execRunner, type CommandRunner } from './command.js';
import { kindClusterName, runSelector } from './labels.js';
import { namespaceObject } from './objects.js';

export interface KubeCleanReport {
  kindClusters: string[];
  namespaces: string[];
  /** what could not be looked at (no kind, no kubeconfig), so `clean` can say so */
  skipped: string[];
}

export interface CleanDeps {
  runner?: CommandRunner;
  kubeApi?: KubeApiFactory;
  /** as for the existing provider: a context other than kind-* only when named with yes */
  context?: string;
  yes?: boolean;
}

/**
 * Leftovers of interrupted kind/existing runs: kind clusters named disco-<runId> (all disco-*
 * without a run id) and namespaces labelled by discobench in the kubeconfig's context. Only what
 * carries our name or label is touched, and only in a context the existing provider would run in
 * (kind-*, or the one named with --context NAME --yes): a label is no licence to delete
 * namespaces in whatever cluster the kubeconfig happens to point at.
 */
export async function cleanKubeLeftovers(runId?: string, deps: CleanDeps = {}): Promise<KubeCleanReport> {
  const runner = deps.runner ?? execRunner;
  const report: KubeCleanReport = { kindClusters: [], namespaces: [], skipped: [] };
  try {
    const out = await runner.run('kind', ['get', 'clusters']);
    const wanted = runId ? [kindClusterName(runId)] : undefined;
    for (const name of out.stdout.split('\n').map((l) => l.trim()).filter(Boolean)) {
      if (!name.startsWith('disco-') || (wanted && !wanted.includes(name))) continue;
      await runner.run('kind', ['delete', 'cluster', '--name', name]);
      report.kindClusters.push(name);
    }
  } catch (err) {
    report.skipped.push(`kind clusters: ${err instanceof PrerequisiteError ? 'kind not installed' : (err as Error).message}`);
  }
  try {
    const api = await (deps.kubeApi ?? connectKube)(deps.context);
    try {
      guardContext(api.context, { context: deps.context, yes: deps.yes });
    } catch (err) {
      if (!(err instanceof UsageError)) throw err;
      report.skipped.push(`labelled namespaces in context ${api.context}: not a kind cluster; to clean there: clean --context ${api.context} --yes`);
      return report;
    }
    for (const ns of await api.listNamespaces(runSelector(runId))) {
      await api.remove(namespaceObject(ns, runId ?? ''));
      report.namespaces.push(`${api.context}/${ns}`);
    }
  } catch (err) {
    report.skipped.push(`labelled namespaces: ${(err as Error).message}`);
  }
  return report;
}
