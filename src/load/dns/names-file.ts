import { UsageError } from '../../core/errors.js';

/** One line of a dnsperf-format names file: `name TYPE` (TYPE defaults to A). */
export interface NameLine {
  name: string;
  type: string;
}

export function parseNamesFile(text: string, source = 'names file'): NameLine[] {
  const out: NameLine[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const [name, type] = line.split(/\s+/);
    out.push({ name: name!, type: (type ?? 'A').toUpperCase() });
  }
  if (out.length === 0) throw new UsageError(`${source} holds no names`, 'one "name TYPE" per line, as for dnsperf -d');
  return out;
}

export function formatNamesFile(lines: readonly NameLine[]): string {
  return lines.map((l) => `${l.name} ${l.type}`).join('\n') + '\n';
}
