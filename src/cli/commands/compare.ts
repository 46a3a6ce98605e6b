/**
 * `discobench compare BASE_DIR CAND_DIR`: writes compare.md, compare.html and compare.json (into
 * --out, default CAND_DIR), prints the markdown, and with --fail-on-regression exits 3 on a regression.
 */
import { join } from 'node:path';
import { Command } from 'commander';
import { RegressionError, UsageError } from '../../core/errors.js';
import { compareRuns, DEFAULT_THRESHOLD_PCT } from '../../report/compare.js';
import { headline, regressionLine, renderCompareHtml, renderCompareMarkdown } from '../../report/compare-render.js';
import { readRun } from '../../results/reader.js';
import { writeAtomic } from '../../results/atomic.js';

interface CompareOptions {
  threshold: string;
  failOnRegression?: boolean;
  out?: string;
}

export function parseThreshold(text: string): number {
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v < 0) {
    throw new UsageError(`--threshold must be a non-negative number of percent, got "${text}"`, 'e.g. --threshold 10');
  }
  return v;
}

export function compareCommand(): Command {
  return new Command('compare')
    .description('compare two runs per metric and variant; a regression is worse beyond the threshold and significant')
    .argument('<base-dir>', 'the baseline run directory')
    .argument('<cand-dir>', 'the candidate run directory')
    .option('--threshold <pct>', 'smallest change in percent that counts', String(DEFAULT_THRESHOLD_PCT))
    .option('--fail-on-regression', 'exit 3 when a regression is found')
    .option('--out <dir>', 'where compare.md/.html/.json go (default: the candidate directory)')
    .action(async (baseDir: string, candDir: string, opts: CompareOptions) => {
      const thresholdPct = parseThreshold(opts.threshold);
      const [base, cand] = [await readRun(baseDir), await readRun(candDir)];
      const comparison = compareRuns(base, cand, { thresholdPct });
      const md = renderCompareMarkdown(comparison);
      const out = opts.out ?? candDir;
      writeAtomic(out, 'compare.md', md);
      writeAtomic(out, 'compare.html', renderCompareHtml(comparison));
      writeAtomic(out, 'compare.json', JSON.stringify(comparison, null, 2) + '\n');
      // stdout is the markdown alone, so `compare ... > compare.md` or a CI job summary gets just that
      process.stdout.write(md);
      console.error(`wrote ${join(out, 'compare.md')}, compare.html, compare.json`);
      if (opts.failOnRegression && comparison.regressions.length > 0) {
        throw new RegressionError(headline(comparison), `see ${join(out, 'compare.html')}`, comparison.regressions.map(regressionLine));
      }
    });
}
