/**
 * The few statistics `perf` reports: rounds of each tool alternate, so a noisy neighbour hits
 * both alike, and the medians are compared; the spread (min..max) says how noisy the run was.
 */
export interface Summary {
  median: number;
  min: number;
  max: number;
  /** each round's figure, in the order measured */
  runs: number[];
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Rounded to `digits` decimals, so the JSON stays readable and the table matches it. */
export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function summarize(runs: readonly number[], digits = 3): Summary {
  return {
    median: round(median(runs), digits),
    min: round(Math.min(...runs), digits),
    max: round(Math.max(...runs), digits),
    runs: runs.map((r) => round(r, digits)),
  };
}
