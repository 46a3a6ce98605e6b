import { isIP } from 'node:net';
import { UsageError } from '../../core/errors.js';

/** One ClusterIP:port the connect agent opens connections to. */
export interface ConnectTarget {
  host: string;
  port: number;
}

export function targetKey(t: ConnectTarget): string {
  return `${t.host}:${t.port}`;
}

/**
 * Reads a targets file: one `ip:port` per line, blank lines and `#` comments ignored.
 * Every bad line is reported at once, with its line number, so a broken file is fixed in one go.
 */
export function parseTargets(text: string, source = 'targets'): ConnectTarget[] {
  const out: ConnectTarget[] = [];
  const problems: string[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(.+):(\d{1,5})$/.exec(line);
    const host = m?.[1];
    const port = Number(m?.[2]);
    if (!host || isIP(host) !== 4 || !(port >= 1 && port <= 65535)) {
      problems.push(`${source}:${i + 1}: expected ip:port (IPv4), got ${JSON.stringify(line)}`);
      return;
    }
    out.push({ host, port });
  });
  if (problems.length > 0) throw new UsageError(problems[0]!, '--targets: one ip:port per line, e.g. 10.96.1.0:80', problems);
  if (out.length === 0) throw new UsageError(`${source}: no targets`, '--targets: one ip:port per line, e.g. 10.96.1.0:80');
  return out;
}

export function formatTargets(targets: readonly ConnectTarget[]): string {
  return targets.map((t) => `${targetKey(t)}\n`).join('');
}
