/** `discobench report RUN_DIR`: re-renders summary.md, report.html and charts/*.png from run.json. */
import { Command } from 'commander';
import { reportExporters } from '../../report/index.js';
import { readRun, writeExports } from '../../report/files.js';

export function reportCommand(): Command {
  return new Command('report')
    .description('re-render summary.md, report.html and charts/*.png from RUN_DIR/run.json')
    .argument('<run-dir>', 'a run directory written by `discobench bench`')
    .action(async (dir: string) => {
      const run = await readRun(dir);
      // every exporter that can render writes its files; the first failure (e.g. chromium
      // missing for the PNGs) is raised afterwards so its exit code still reaches the user
      let failure: unknown;
      for (const exporter of reportExporters) {
        try {
          for (const p of await writeExports(dir, await exporter.render(run))) console.log(p);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    });
}
