/**
 * Prometheus text exposition format (version 0.0.4), the format kube-proxy, CoreDNS, Cilium and
 * the kubelet serve. No npm parser in reach is both small and maintained, so this one is minimal
 * but careful: escaped label values, +Inf/-Inf/NaN, optional timestamps, comments and blank lines.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  /** ms since epoch when the exporter stamped the sample (the kubelet does: its stats are cached) */
  timestampMs?: number;
}

export interface PromText {
  samples: PromSample[];
  /** metric family name -> counter | gauge | histogram | summary | untyped */
  types: Map<string, string>;
}

function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new Error(`bad sample value ${JSON.stringify(s)}`);
  return v;
}

/** Parses `{a="x",b="y\"z"}` starting at text[i] === '{'; returns labels and the index after '}'. */
function parseLabels(line: string, start: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (line[i] === ' ' || line[i] === ',') i++;
    if (line[i] === '}') return [labels, i + 1];
    const eq = line.indexOf('=', i);
    if (eq < 0) throw new Error('label without "="');
    const key = line.slice(i, eq).trim();
    i = eq + 1;
    while (line[i] === ' ') i++;
    if (line[i] !== '"') throw new Error(`label ${key} value is not quoted`);
    i++;
    let value = '';
    for (;;) {
      const c = line[i];
      if (c === undefined) throw new Error(`unterminated value of label ${key}`);
      if (c === '\\') {
        const n = line[i + 1];
        value += n === 'n' ? '\n' : (n ?? '');
        i += 2;
      } else if (c === '"') {
        i++;
        break;
      } else {
        value += c;
        i++;
      }
    }
    labels[key] = value;
  }
}

export function parsePrometheus(text: string): PromText {
  const samples: PromSample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s*TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1]!, m[2]!);
      continue;
    }
    try {
      const nameEnd = line.search(/[{\s]/);
      if (nameEnd <= 0) throw new Error('no value');
      const name = line.slice(0, nameEnd);
      let labels: Record<string, string> = {};
      let rest = nameEnd;
      if (line[nameEnd] === '{') [labels, rest] = parseLabels(line, nameEnd);
      const fields = line.slice(rest).trim().split(/\s+/);
      const ts = fields[1] !== undefined ? Number(fields[1]) : undefined;
      samples.push({ name, labels, value: parseValue(fields[0] ?? ''), ...(ts !== undefined && Number.isFinite(ts) ? { timestampMs: ts } : {}) });
    } catch (err) {
      throw new Error(`metrics line ${n + 1}: ${(err as Error).message}: ${line.slice(0, 120)}`);
    }
  }
  return { samples, types };
}

function matches(labels: Record<string, string>, match: Record<string, string>): boolean {
  return Object.entries(match).every(([k, v]) => labels[k] === v);
}

/** Sum of a counter or gauge over every label set matching `match`; undefined when absent. */
export function sumOf(p: PromText, name: string, match: Record<string, string> = {}): number | undefined {
  let sum: number | undefined;
  for (const s of p.samples) if (s.name === name && matches(s.labels, match)) sum = (sum ?? 0) + s.value;
  return sum;
}

/** Largest value of a gauge over every label set matching `match`; undefined when absent. */
export function maxOf(p: PromText, name: string, match: Record<string, string> = {}): number | undefined {
  let max: number | undefined;
  for (const s of p.samples) if (s.name === name && matches(s.labels, match)) max = Math.max(max ?? -Infinity, s.value);
  return max;
}

/** A cumulative histogram: buckets sorted by upper bound (le), counts cumulative. */
export interface Histogram {
  buckets: Array<[le: number, count: number]>;
  sum: number;
  count: number;
}

/** The histogram `name`, summed over label sets (ip_family, action...) matching `match`. */
export function histogramOf(p: PromText, name: string, match: Record<string, string> = {}): Histogram | undefined {
  const byLe = new Map<number, number>();
  let sum: number | undefined;
  let count = 0;
  for (const s of p.samples) {
    if (!matches(s.labels, match)) continue;
    if (s.name === `${name}_bucket` && s.labels.le !== undefined) {
      const le = parseValue(s.labels.le);
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    } else if (s.name === `${name}_sum`) sum = (sum ?? 0) + s.value;
    else if (s.name === `${name}_count`) count += s.value;
  }
  if (sum === undefined && byLe.size === 0) return undefined;
  const buckets = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  return { buckets, sum: sum ?? 0, count };
}

/**
 * after - before: the observations made between two scrapes. A counter reset (the process
 * restarted, e.g. kube-proxy after a pod restart) shows as a smaller count: then `after` alone
 * holds everything since the restart.
 */
export function histogramDelta(before: Histogram | undefined, after: Histogram): Histogram {
  if (!before || after.count < before.count) return after;
  const prev = new Map(before.buckets);
  return {
    buckets: after.buckets.map(([le, c]) => [le, c - (prev.get(le) ?? 0)]),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/** Mean observation in ms (histograms in seconds); undefined when nothing was observed. */
export function meanMs(h: Histogram): number | undefined {
  return h.count > 0 ? (h.sum / h.count) * 1000 : undefined;
}

/** Upper bound (ms) of the bucket holding the largest observation; Infinity past the last bound. */
export function maxBoundMs(h: Histogram): number | undefined {
  if (h.count <= 0) return undefined;
  for (const [le, c] of h.buckets) if (c >= h.count) return le * 1000;
  return Infinity;
}
