import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import dockerignore from '@balena/dockerignore';

/**
 * What `docker build -f DOCKERFILE CONTEXT` sends, computed without Docker. BuildKit reads
 * `<Dockerfile>.dockerignore` beside the Dockerfile when there is one, else CONTEXT/.dockerignore;
 * @balena/dockerignore ports Moby's matcher (a pattern also excludes what lies under a matching
 * directory, `!` exceptions re-include files under excluded directories, the last match wins),
 * which is not gitignore's rule set.
 */
export function ignoreFileFor(dockerfile: string, context: string): string | undefined {
  const own = join(dirname(dockerfile), `${basename(dockerfile)}.dockerignore`);
  if (existsSync(own)) return own;
  const root = join(context, '.dockerignore');
  return existsSync(root) ? root : undefined;
}

export function contextFilter(patterns: string): (path: string) => boolean {
  // a CommonJS module whose typings declare `export default`: under NodeNext the function is `.default`
  const ig = dockerignore.default().add(patterns.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  return (path) => !ig.ignores(path);
}

/** Sources of every COPY/ADD without --from (those come from the context), in order. */
export function copySources(dockerfile: string): string[] {
  const out: string[] = [];
  // join continuation lines first
  for (const line of dockerfile.replace(/\\\n/g, ' ').split('\n')) {
    const m = /^\s*(COPY|ADD)\s+(.*)$/i.exec(line);
    if (!m) continue;
    let rest = m[2]!.trim();
    const flags: string[] = [];
    while (rest.startsWith('--')) {
      const f = /^(--\S+)\s*/.exec(rest)!;
      flags.push(f[1]!);
      rest = rest.slice(f[0].length);
    }
    if (flags.some((f) => f.startsWith('--from='))) continue;
    const words = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/);
    out.push(...words.slice(0, -1));
  }
  return out;
}

/** Paths under the context a COPY source names: itself, or every file below it; globs expanded. */
export function filesOf(context: string, source: string): string[] {
  const src = source.replace(/^\.\//, '');
  if (/[*?[]/.test(src)) {
    const dir = dirname(src);
    const re = new RegExp(`^${basename(src).replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    const base = join(context, dir);
    if (!existsSync(base)) return [];
    return readdirSync(base).filter((n) => re.test(n)).flatMap((n) => filesOf(context, dir === '.' ? n : `${dir}/${n}`));
  }
  const abs = join(context, src);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [src];
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(context, p));
    }
  };
  walk(abs);
  return out;
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}
