/** `node dist/test/docs/layers-cli.js`: prints every import that breaks docs/architecture.md's layers; exit 1 if any. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../cli/run-cli.js';
import { importEdges, layerViolations, parseLayerBlocks, unplacedItems } from './layers.js';

const blocks = parseLayerBlocks(readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8'));
const src = join(ROOT, 'src');
const problems = [...unplacedItems(blocks, src).map((p) => `${p}: not placed in docs/architecture.md's layers`), ...layerViolations(blocks, importEdges(src))];
for (const p of problems) process.stdout.write(`${p}\n`);
process.stdout.write(`${importEdges(src).length} imports checked against ${blocks.length} layer blocks: ${problems.length} problem(s)\n`);
process.exitCode = problems.length > 0 ? 1 : 0;
