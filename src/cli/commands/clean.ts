import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { cleanLocalRun, leftoverRunIds } from '../../providers/local/cleanup.js';

/** Removes leftovers of interrupted runs by run id (all of ours when no id is given). */
export function cleanCommand(): Command {
  return new Command('clean')
    .description('removes leftovers of interrupted runs (namespaces, rules, processes) by run id')
    .argument('[runIds...]', 'run ids (default: every leftover run)')
    .action(async (ids: string[]) => {
      const bad = ids.find((id) => !/^[0-9a-f]{8}$/.test(id));
      if (bad) throw new UsageError(`clean: "${bad}" is not a run id`, 'run ids are 8 hex digits, as in namespace names disco-<runId>-node');
      const targets = ids.length > 0 ? ids : await leftoverRunIds();
      if (targets.length === 0) {
        process.stdout.write('nothing to clean\n');
        return;
      }
      for (const id of targets) {
        const removed = await cleanLocalRun(id);
        process.stdout.write(`run ${id}: removed ${removed.length} namespace(s)\n`);
      }
    });
}
