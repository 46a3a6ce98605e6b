import { UsageError } from '../../core/errors.js';

/** A Service looked up by name before each connection (resolve mode). */
export interface NamedTarget {
  name: string;
  port: number;
}

const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

/** One `name:port` per line, blank lines and `#` comments ignored; every bad line reported at once. */
export function parseNamedTargets(text: string, source = 'targets'): NamedTarget[] {
  const out: NamedTarget[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^([^:\s]+):(\d{1,5})$/.exec(line);
    const port = Number(m?.[2]);
    if (!m || !DNS_NAME.test(m[1]!) || !(port >= 1 && port <= 65535)) problems.push(`${source}:${i + 1}: expected name:port, got ${JSON.stringify(line)}`);
    else out.push({ name: m[1]!, port });
  });
  const hint = '--targets with --resolve: one name:port per line, e.g. svc-0.bench-0:80';
  if (problems.length > 0) throw new UsageError(problems[0]!, hint, problems);
  if (out.length === 0) throw new UsageError(`${source}: no targets`, hint);
  return out;
}

export function formatNamedTargets(targets: readonly NamedTarget[]): string {
  return targets.map((t) => `${t.name}:${t.port}\n`).join('');
}
