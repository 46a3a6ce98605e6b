import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

/**
 * The layer rule of docs/architecture.md, checked against the sources: each ```layers block
 * lists items top (may import everything below) to bottom; an item imports itself or items on
 * lower lines, never one above or beside it on the same line.
 */
export interface LayerBlock {
  /** '' for src/ itself, else the folder under src/ the block subdivides */
  scope: string;
  /** item name -> rank (0 = bottom) */
  rank: Map<string, number>;
}

export function parseLayerBlocks(markdown: string): LayerBlock[] {
  const blocks: LayerBlock[] = [];
  for (const m of markdown.matchAll(/^```layers[ \t]*(\S*)\n([\s\S]*?)^```/gm)) {
    const lines = m[2]!.split('\n').filter((l) => l.trim() !== '');
    const rank = new Map<string, number>();
    lines.forEach((line, i) => {
      // the names come before the first run of two or more spaces, the description after
      for (const name of line.trim().split(/\s{2,}/)[0]!.split(' ')) rank.set(name, lines.length - 1 - i);
    });
    blocks.push({ scope: m[1] ?? '', rank });
  }
  return blocks;
}

export interface ImportEdge {
  from: string;
  to: string;
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every relative import and re-export (static or dynamic) of the .ts files under srcDir, as paths relative to srcDir. */
export function importEdges(srcDir: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const file of tsFiles(srcDir)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)) {
      const target = normalize(join(dirname(file), m[1]!)).replace(/\.js$/, '.ts');
      edges.push({ from: relative(srcDir, file).split(sep).join('/'), to: relative(srcDir, target).split(sep).join('/') });
    }
  }
  return edges;
}

/** The item a path belongs to within a block's scope (its first segment there), or undefined outside the scope. */
function itemOf(path: string, scope: string): string | undefined {
  if (scope !== '' && !path.startsWith(`${scope}/`)) return undefined;
  return (scope === '' ? path : path.slice(scope.length + 1)).split('/')[0];
}

/** One line per import that breaks a block's order, or names an item no block lists. */
export function layerViolations(blocks: LayerBlock[], edges: ImportEdge[]): string[] {
  const out: string[] = [];
  for (const { scope, rank } of blocks) {
    for (const e of edges) {
      const a = itemOf(e.from, scope);
      const b = itemOf(e.to, scope);
      if (a === undefined || b === undefined || a === b) continue;
      const ra = rank.get(a);
      const rb = rank.get(b);
      const where = scope === '' ? 'src/' : `src/${scope}/`;
      if (ra === undefined) out.push(`${e.from}: ${where}${a} is not in the layers of docs/architecture.md`);
      else if (rb === undefined) out.push(`${e.from} -> ${e.to}: ${where}${b} is not in the layers of docs/architecture.md`);
      else if (rb >= ra) out.push(`${e.from} -> ${e.to}: ${a} may not import ${b} (${rb > ra ? 'upward' : 'sideways'})`);
    }
  }
  return [...new Set(out)];
}

/** Items on disk that no block names (a new folder must be placed in the drawing). */
export function unplacedItems(blocks: LayerBlock[], srcDir: string): string[] {
  const out: string[] = [];
  for (const { scope, rank } of blocks) {
    const dir = join(srcDir, scope);
    for (const name of readdirSync(dir)) {
      const isDir = statSync(join(dir, name)).isDirectory();
      if ((isDir || name.endsWith('.ts')) && !rank.has(name)) out.push(`${scope === '' ? 'src' : `src/${scope}`}/${name}`);
    }
  }
  return out;
}
