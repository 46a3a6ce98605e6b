import { isIP } from 'node:net';
import { UsageError } from '../core/errors.js';

/** One ClusterIP:port an agent (connect or HTTP) sends to; the same file format feeds both. */
export interface Target {
  host: string;
  port: number;
}

/** "ip:port", with IPv6 hosts bracketed: the line format and the key in agent outputs. */
export function targetKey(t: Target): string {
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/**
 * Reads a targets file: one `ip:port` (or `[v6]:port` unless ipv4Only) per line, blank lines and
 * `#` comments ignored. Every bad line is reported at once, with its line number.
 */
export function parseTargets(text: string, source = 'targets', opts: { ipv4Only?: boolean } = {}): Target[] {
  const out: Target[] = [];
  const problems: string[] = [];
  const expected = opts.ipv4Only ? 'ip:port (IPv4)' : 'ip:port';
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*/, '').trim();
    if (!line) return;
    const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(line);
    const host = m?.[1] ?? '';
    const port = Number(m?.[2]);
    const family = isIP(host);
    if (!m || family === 0 || (opts.ipv4Only && family !== 4) || !(port >= 1 && port <= 65535)) {
      problems.push(`${source}:${i + 1}: expected ${expected}, got ${JSON.stringify(line)}`);
      return;
    }
    out.push({ host, port });
  });
  const hint = '--targets: one ip:port per line, e.g. 10.96.1.0:80';
  if (problems.length > 0) throw new UsageError(problems[0]!, hint, problems);
  if (out.length === 0) throw new UsageError(`${source}: no targets`, hint);
  return out;
}

export function formatTargets(targets: readonly Target[]): string {
  return targets.map((t) => `${targetKey(t)}\n`).join('');
}
