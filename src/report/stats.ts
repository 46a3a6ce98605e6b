/**
 * Significance tests for compare. Pure functions, checked against exact figures in the tests.
 * Welch's t-test compares per-repeat values (the honest test: repeats are independent runs);
 * the quantile z-test is the fallback for a single repeat, using the order-statistic confidence
 * interval of a quantile computed from an HDR histogram.
 */
import type { Histogram } from '../metrics/histogram.js';
import { SCALE } from '../metrics/histogram.js';

export function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample variance (n - 1). */
export function variance(xs: readonly number[]): number {
  const m = mean(xs);
  return xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1);
}

/** ln Γ(x), Lanczos approximation (g = 7, n = 9), accurate to ~1e-15 for x > 0. */
export function lnGamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  x -= 1;
  let a = c[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction for the incomplete beta function (modified Lentz). */
function betacf(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a - 1 + m2) * (a + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d; h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + 1 + m2));
    d = 1 + aa * d; if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c; if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const bt = Math.exp(lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  if (x < (a + 1) / (a + b + 2)) return (bt * betacf(a, b, x)) / a;
  return 1 - (bt * betacf(b, a, 1 - x)) / b;
}

/** Two-sided p-value of Student's t with df degrees of freedom. */
export function studentTwoSidedP(t: number, df: number): number {
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - (((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t) * Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

export interface TestResult {
  p: number;
  statistic: number;
  df?: number;
}

/**
 * Welch's unequal-variance t-test; needs two values per side. Two constant samples are
 * "certainly equal" (p = 1) or "certainly different" (p = 0).
 */
export function welchTTest(a: readonly number[], b: readonly number[]): TestResult | undefined {
  if (a.length < 2 || b.length < 2) return undefined;
  const va = variance(a) / a.length;
  const vb = variance(b) / b.length;
  const diff = mean(b) - mean(a);
  const se2 = va + vb;
  if (se2 === 0) return { p: diff === 0 ? 1 : 0, statistic: diff === 0 ? 0 : Math.sign(diff) * Infinity };
  const t = diff / Math.sqrt(se2);
  const df = (se2 * se2) / ((va * va) / (a.length - 1) + (vb * vb) / (b.length - 1));
  return { p: studentTwoSidedP(t, df), statistic: t, df };
}

/**
 * Standard error of the q-quantile (0..1) of a histogram's samples, from the distribution-free
 * order-statistic 95% interval: ranks n·q ± 1.96·sqrt(n·q·(1-q)). This is the analytic form of
 * bootstrapping the sample quantile. Floored at half the histogram's resolution (3 digits).
 */
export function quantileStdError(h: Histogram, q: number): number {
  const n = h.totalCount;
  if (n === 0) return NaN;
  const half = 1.96 * Math.sqrt(n * q * (1 - q));
  const lo = Math.max(0, (n * q - half) / n) * 100;
  const hi = Math.min(1, (n * q + half) / n) * 100;
  const vlo = h.getValueAtPercentile(Math.max(lo, 1e-9)) / SCALE;
  const vhi = h.getValueAtPercentile(Math.min(hi, 100)) / SCALE;
  const v = h.getValueAtPercentile(q * 100) / SCALE;
  return Math.max((vhi - vlo) / (2 * 1.96), (v * 0.001) / 2);
}

/** Standard error of a histogram's mean (central limit theorem), in the metric's unit. */
export function meanStdError(h: Histogram): number {
  return h.totalCount > 1 ? h.stdDeviation / SCALE / Math.sqrt(h.totalCount) : NaN;
}

/** z-test of two independent estimates with standard errors. */
export function zTest(a: number, seA: number, b: number, seB: number): TestResult {
  const se = Math.sqrt(seA * seA + seB * seB);
  if (se === 0) return { p: a === b ? 1 : 0, statistic: a === b ? 0 : Math.sign(b - a) * Infinity };
  const z = (b - a) / se;
  return { p: 2 * (1 - normalCdf(Math.abs(z))), statistic: z };
}
