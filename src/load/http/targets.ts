import { isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';

export interface Target {
  host: string;
  port: number;
}

/** Parses a targets file: one `ip:port` (or `[v6]:port`) per line; blank lines and # comments skipped. */
export function parseTargets(text: string, source = 'targets'): Target[] {
  const out: Target[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(line);
    const port = m ? Number(m[2]) : NaN;
    if (!m || !isIP(m[1]) || !(port >= 1 && port <= 65535)) {
      problems.push(`${source}:${i + 1}: expected ip:port, got ${JSON.stringify(line)}`);
      return;
    }
    out.push({ host: m[1], port });
  });
  if (problems.length) throw new UsageError(`${source}: ${problems.length} bad line(s)`, 'write one ip:port per line (--targets)', problems);
  if (!out.length) throw new UsageError(`${source}: no targets`, 'write one ip:port per line (--targets)');
  return out;
}

export function formatTargets(targets: readonly Target[]): string {
  return targets.map((t) => (t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`)).join('\n') + '\n';
}
