import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../cli/run-cli.js';
import { importEdges, layerViolations, parseLayerBlocks, unplacedItems } from './layers.js';

const doc = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');
const src = join(ROOT, 'src');

test("every src/ folder is placed in docs/architecture.md's layers and no import goes up or sideways", () => {
  const blocks = parseLayerBlocks(doc);
  assert.equal(blocks.length, 2);
  const edges = importEdges(src);
  assert.ok(edges.length > 500, `imports found: ${edges.length}`);
  assert.deepEqual(unplacedItems(blocks, src), []);
  assert.deepEqual(layerViolations(blocks, edges), []);
});

test('the check catches an upward, a sideways and an unplaced import', () => {
  const blocks = parseLayerBlocks('```layers\ncli  top\nmetrics  mid\ncore  bottom\n```\n```layers providers\nall.ts  registry\nlocal kind  siblings\nkube  shared\n```\n');
  const v = layerViolations(blocks, [
    { from: 'core/errors.ts', to: 'metrics/sink.ts' },
    { from: 'cli/main.ts', to: 'core/errors.ts' },
    { from: 'providers/local/a.ts', to: 'providers/kind/b.ts' },
    { from: 'providers/kind/b.ts', to: 'providers/kube/c.ts' },
    { from: 'providers/kube/c.ts', to: 'providers/local/a.ts' },
    { from: 'metrics/x.ts', to: 'newdir/y.ts' },
  ]);
  assert.deepEqual(v, [
    'core/errors.ts -> metrics/sink.ts: core may not import metrics (upward)',
    'metrics/x.ts -> newdir/y.ts: src/newdir is not in the layers of docs/architecture.md',
    'providers/local/a.ts -> providers/kind/b.ts: local may not import kind (sideways)',
    'providers/kube/c.ts -> providers/local/a.ts: kube may not import local (upward)',
  ]);
});

test('the code cites only documents that are in the repository', () => {
  const cited = [...readAll(src), ...readAll(join(ROOT, 'test'))].filter(([, text]) => /\b(DESIGN|REFERENCE)\.md\b/.test(text) && !text.includes('(DESIGN|REFERENCE)')).map(([p]) => p);
  assert.deepEqual(cited, []);
});

function readAll(dir: string): Array<[string, string]> {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? readAll(p) : p.endsWith('.ts') ? [[p, readFileSync(p, 'utf8')] as [string, string]] : [];
  });
}
