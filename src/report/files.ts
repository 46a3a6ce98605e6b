/** Writing outputs atomically (tmp + rename), so readers never see half a file. */
import { writeAtomic } from '../results/atomic.js';
import type { ExportFile } from '../results/exporter.js';

/** Writes export files under dir and returns their full paths. */
export async function writeExports(dir: string, files: readonly ExportFile[]): Promise<string[]> {
  const paths: string[] = [];
  for (const f of files) {
    paths.push(writeAtomic(dir, f.path, f.data));
  }
  return paths;
}
