import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { haveTool } from '../../core/exec.js';
import { cleanLocalRun, leftoverRunIds } from '../../providers/local/cleanup.js';
import { activeLocalRun } from '../../providers/local/lock.js';
import { deadPerfNetns, deleteNetns } from '../../perf/netns.js';

/** Whether there is any cluster to look at: a kind binary or a kubeconfig. */
async function kubeReachable(): Promise<boolean> {
  return (await haveTool('kind')) || Boolean(process.env['KUBECONFIG']) || existsSync(join(homedir(), '.kube', 'config'));
}

/** Removes leftovers of interrupted runs by run id (all of ours when no id is given), never a run in progress. */
export function cleanCommand(): Command {
  return new Command('clean')
    .description('removes leftovers of interrupted runs (namespaces, rules, processes, kind clusters) by run id')
    .argument('[runIds...]', 'run ids (default: every leftover run)')
    .option('--local-only', 'only the local provider (skip kind clusters and labelled namespaces)')
    .option('--context <name>', 'kubeconfig context to delete labelled namespaces in (not kind-*: needs --yes)')
    .option('--yes', 'confirm --context when it is not a kind cluster')
    .action(async (ids: string[], o: { localOnly?: boolean; context?: string; yes?: boolean }) => {
      const bad = ids.find((id) => !/^[0-9a-f]{8}$/.test(id));
      if (bad) throw new UsageError(`clean: "${bad}" is not a run id`, 'run ids are 8 hex digits, as in namespace names disco-<runId>-node');
      const targets = ids.length > 0 ? ids : await leftoverRunIds();
      // a run still in progress is not a leftover: removing its namespaces would break it mid-measurement
      const active = activeLocalRun();
      for (const id of targets) {
        if (id === active?.runId) {
          process.stdout.write(`run ${id}: in progress (pid ${active.pid}), not touched; stop it first (Ctrl-C cleans up after itself)\n`);
          continue;
        }
        const removed = await cleanLocalRun(id);
        process.stdout.write(`run ${id}: removed ${removed.length} namespace(s)\n`);
      }
      // `npm run perf`'s own namespaces, left by a perf process that is gone
      const perf = ids.length > 0 ? [] : await deadPerfNetns();
      for (const n of perf) await deleteNetns(n);
      if (perf.length > 0) process.stdout.write(`perf: removed ${perf.length} namespace(s) of a perf run that is gone (${perf.join(', ')})\n`);
      if (targets.length === 0 && perf.length === 0) process.stdout.write('local: nothing to clean\n');
      if (o.localOnly || !(await kubeReachable())) return;
      const { cleanKubeLeftovers } = await import('../../providers/kube/cleanup.js');
      for (const id of ids.length > 0 ? ids : [undefined]) {
        const report = await cleanKubeLeftovers(id, { context: o.context, yes: o.yes });
        for (const c of report.kindClusters) process.stdout.write(`kind cluster ${c}: deleted\n`);
        for (const n of report.namespaces) process.stdout.write(`namespace ${n}: deleted\n`);
        for (const s of report.skipped) process.stdout.write(`skipped ${s}\n`);
      }
    });
}
