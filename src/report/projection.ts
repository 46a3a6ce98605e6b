/**
 * Capacity projection: least-squares fits of a cost against the Service count with three growth
 * models, the best chosen by adjusted R² (ties go to the simpler model), then evaluated beyond the
 * measured range. An extrapolation: the caller must say so wherever it prints one.
 * Hand-written rather than simple-statistics: its regression takes one predictor, so the
 * quadratic model would still need this solver; on a 1k..30k scaling series these coefficients
 * match a 50-digit least-squares solution to about 1e-14 (simple-statistics' linear fit agrees).
 */
export type GrowthModel = 'linear' | 'n log n' | 'quadratic';

export interface Fit {
  model: GrowthModel;
  /** coefficients of the basis functions, in basis order (see formula) */
  coefficients: number[];
  r2: number;
  /** NaN when the fit has no residual degree of freedom */
  adjustedR2: number;
  rmse: number;
  points: number;
  formula: string;
}

type Basis = Array<(x: number) => number>;

const BASES: Record<GrowthModel, Basis> = {
  linear: [() => 1, (x) => x],
  'n log n': [() => 1, (x) => x * Math.log(x)],
  quadratic: [() => 1, (x) => x, (x) => x * x],
};

const ORDER: GrowthModel[] = ['linear', 'n log n', 'quadratic'];

/** Solves A·x = b by Gaussian elimination with partial pivoting (A is small and square). */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let col = 0; col < n; col++) {
    let piv = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r]![col]!) > Math.abs(m[piv]![col]!)) piv = r;
    if (Math.abs(m[piv]![col]!) < 1e-12) return undefined;
    [m[col], m[piv]] = [m[piv]!, m[col]!];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r]![col]! / m[col]![col]!;
      for (let c = col; c <= n; c++) m[r]![c]! -= f * m[col]![c]!;
    }
  }
  return m.map((row, i) => row[n]! / row[i]!);
}

/** Fits one model; columns are scaled to [0, 1] first so x² at 30k Services stays well conditioned. */
export function fitModel(model: GrowthModel, xs: readonly number[], ys: readonly number[]): Fit | undefined {
  const basis = BASES[model];
  const k = basis.length;
  const n = xs.length;
  if (n < k || xs.some((x) => !(x > 0))) return undefined;
  const cols = basis.map((f) => xs.map(f));
  const scale = cols.map((c) => Math.max(...c.map(Math.abs)) || 1);
  const X = xs.map((_, i) => cols.map((c, j) => c[i]! / scale[j]!));
  const ata = Array.from({ length: k }, (_, r) => Array.from({ length: k }, (_, c) => X.reduce((s, row) => s + row[r]! * row[c]!, 0)));
  const aty = Array.from({ length: k }, (_, r) => X.reduce((s, row, i) => s + row[r]! * ys[i]!, 0));
  const beta = solve(ata, aty);
  if (!beta) return undefined;
  const coefficients = beta.map((b, j) => b / scale[j]!);
  const predict = (x: number) => basis.reduce((s, f, j) => s + coefficients[j]! * f(x), 0);
  const my = ys.reduce((a, b) => a + b, 0) / n;
  const sse = xs.reduce((s, x, i) => s + (ys[i]! - predict(x)) ** 2, 0);
  const sst = ys.reduce((s, y) => s + (y - my) ** 2, 0);
  const r2 = sst === 0 ? (sse === 0 ? 1 : 0) : 1 - sse / sst;
  const dof = n - k;
  const adjustedR2 = dof > 0 ? 1 - ((1 - r2) * (n - 1)) / dof : NaN;
  return { model, coefficients, r2, adjustedR2, rmse: Math.sqrt(sse / n), points: n, formula: formulaOf(model, coefficients) };
}

function num(v: number): string {
  return Number(v.toPrecision(4)).toString();
}

function formulaOf(model: GrowthModel, c: number[]): string {
  if (model === 'linear') return `${num(c[0]!)} + ${num(c[1]!)}·n`;
  if (model === 'n log n') return `${num(c[0]!)} + ${num(c[1]!)}·n·ln(n)`;
  return `${num(c[0]!)} + ${num(c[1]!)}·n + ${num(c[2]!)}·n²`;
}

export function predict(fit: Fit, x: number): number {
  return BASES[fit.model].reduce((s, f, j) => s + fit.coefficients[j]! * f(x), 0);
}

/**
 * A cost model for extrapolation must not fall as the count grows: a negative slope or a
 * downward parabola fitted to noise would project negative seconds.
 */
export function grows(fit: Fit, fromN: number): boolean {
  const c = fit.coefficients;
  if (fit.model === 'quadratic') return c[2]! >= 0 && c[1]! + 2 * c[2]! * fromN >= 0;
  return c[1]! >= 0;
}

/** A quadratic needs this many points, so that it has two residual degrees of freedom. */
export const QUADRATIC_MIN_POINTS = 5;

/**
 * Fits the models the data supports that grow with n and returns the best by adjusted R² (ties
 * go to the simpler model). A model needs more points than coefficients, a quadratic at least
 * QUADRATIC_MIN_POINTS; with only two points the linear fit through them is all there is.
 * undefined when no growing model fits (the cost falls or stays flat within noise).
 */
export function fitBest(xs: readonly number[], ys: readonly number[]): { best: Fit; all: Fit[] } | undefined {
  const minN = Math.min(...xs);
  const all = ORDER.filter((m) => m !== 'quadratic' || xs.length >= QUADRATIC_MIN_POINTS)
    .map((m) => fitModel(m, xs, ys))
    .filter((f): f is Fit => f !== undefined && grows(f, minN));
  const scored = all.filter((f) => Number.isFinite(f.adjustedR2));
  if (scored.length === 0) {
    const lin = all.find((f) => f.model === 'linear');
    return lin ? { best: lin, all } : undefined;
  }
  let best = scored[0]!;
  for (const f of scored.slice(1)) if (f.adjustedR2 > best.adjustedR2 + 1e-9) best = f;
  return { best, all };
}

/**
 * Largest n (rounded down) at which the fit stays at or under the limit, searching up to maxN;
 * undefined when even the smallest n exceeds it, Infinity when it never does up to maxN.
 */
export function headroom(fit: Fit, limit: number, minN = 1, maxN = 1_000_000): number | undefined {
  if (predict(fit, minN) > limit) return undefined;
  let lo = minN;
  let hi = lo;
  while (hi < maxN) {
    const next = Math.min(maxN, hi * 1.25 + 1);
    if (predict(fit, next) > limit) { hi = next; break; }
    lo = next; hi = next;
  }
  if (predict(fit, hi) <= limit) return Infinity;
  while (hi - lo > 0.01) {
    const mid = (lo + hi) / 2;
    if (predict(fit, mid) <= limit) lo = mid; else hi = mid;
  }
  const n = Math.floor(hi);
  return predict(fit, n) <= limit ? n : n - 1;
}
