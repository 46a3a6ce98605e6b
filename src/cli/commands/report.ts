/** `discobench report RUN_DIR`: re-renders summary.md, report.html and charts/*.png from run.json. */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Command } from 'commander';
import { reportExporters } from '../../report/index.js';
import { writeExports } from '../../report/files.js';
import { readRun } from '../../results/reader.js';

/** Charts of an earlier rendering that the current one no longer draws would mislead: removed. */
async function removeStaleCharts(dir: string, written: readonly string[]): Promise<void> {
  const charts = join(dir, 'charts');
  const keep = new Set(written);
  const names = await readdir(charts).catch(() => [] as string[]);
  for (const name of names) {
    const p = join(charts, name);
    if (name.endsWith('.png') && !keep.has(p)) await rm(p, { force: true });
  }
}

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
          const paths = await writeExports(dir, await exporter.render(run));
          if (exporter.name === 'png') await removeStaleCharts(dir, paths);
          for (const p of paths) console.log(p);
        } catch (err) {
          failure ??= err;
        }
      }
      if (failure !== undefined) throw failure;
    });
}
