import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeAtomic } from './atomic.js';
import type { Exporter } from './exporter.js';
import { exporters } from './exporters.js';
import type { RunResult } from './model.js';

/**
 * Owns one run directory: run.json plus every registered exporter's files, rewritten atomically
 * after each variant. A failing exporter is reported, never allowed to lose run.json.
 */
export class RunWriter {
  private constructor(readonly dir: string) {}

  /** results/<yyyymmdd-hhmmss>-<scenario>/, never reusing an existing directory. */
  static create(outRoot: string, stamp: string, scenario: string): RunWriter {
    let dir = resolve(join(outRoot, `${stamp}-${scenario}`));
    for (let k = 2; existsSync(dir); k++) dir = resolve(join(outRoot, `${stamp}-${scenario}-${k}`));
    mkdirSync(dir, { recursive: true });
    return new RunWriter(dir);
  }

  static at(dir: string): RunWriter {
    return new RunWriter(resolve(dir));
  }

  /** Returns problems of exporters that failed (run.json is written first regardless). */
  async write(run: RunResult, opts: { final?: boolean } = {}): Promise<string[]> {
    writeAtomic(this.dir, 'run.json', `${JSON.stringify(run, null, 2)}\n`);
    const problems: string[] = [];
    for (const name of exporters.names()) {
      const exporter: Exporter = exporters.require(name);
      if (exporter.final && !opts.final) continue;
      try {
        for (const file of await exporter.render(run)) writeAtomic(this.dir, file.path, file.data);
      } catch (err) {
        problems.push(`exporter ${name}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    return problems;
  }
}
