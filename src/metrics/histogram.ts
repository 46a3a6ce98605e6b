import * as hdr from 'hdr-histogram-js';

/**
 * Latency histograms. Values are recorded in microseconds (integers) so sub-millisecond
 * latencies keep three significant digits; summaries convert back to milliseconds.
 * Encoded histograms (base64, HdrHistogram's compressed format) travel between agent processes
 * and the runner and merge exactly.
 */
export const SCALE = 1000;
const HIGHEST = 3_600_000_000; // 1 h in µs

export type Histogram = hdr.Histogram;
type JsHistogram = Histogram & { lowestEquivalentValue(v: number): number; highestEquivalentValue(v: number): number };

export function newHistogram(): Histogram {
  return hdr.build({ bitBucketSize: 64, autoResize: true, lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST, numberOfSignificantValueDigits: 3, useWebAssembly: false });
}

/** Records a value given in the metric's unit (ms for latency, ratio for amplification). */
export function record(h: Histogram, value: number, count = 1): void {
  const v = Math.max(1, Math.round(value * SCALE));
  if (count === 1) h.recordValue(v);
  else h.recordValueWithCount(v, count);
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(s: string): Histogram {
  return hdr.decodeFromCompressedBase64(s, 64, false);
}

export function mergeEncoded(parts: readonly string[]): Histogram {
  const out = newHistogram();
  for (const p of parts) out.add(decode(p));
  return out;
}

export interface Distribution {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export function distributionOf(h: Histogram): Distribution {
  if (h.totalCount === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 };
  const q = (p: number) => h.getValueAtPercentile(p) / SCALE;
  return {
    count: h.totalCount,
    // min and max at bucket resolution, so a merged histogram and a direct one agree exactly
    min: (h as JsHistogram).lowestEquivalentValue(h.minNonZeroValue) / SCALE,
    mean: h.mean / SCALE,
    p50: q(50),
    p90: q(90),
    p99: q(99),
    p999: q(99.9),
    max: (h as JsHistogram).highestEquivalentValue(h.maxValue) / SCALE,
  };
}
