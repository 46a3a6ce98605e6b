import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalCdf, quantileStdError, studentTwoSidedP, welchTTest, zTest } from '../../src/report/stats.js';
import { newHistogram, record } from '../../src/metrics/histogram.js';

const close = (a: number, b: number, tol = 1e-9) => assert.ok(Math.abs(a - b) <= tol, `${a} != ${b}`);

test('Student t two-sided p matches the closed forms for df 1 and 2', () => {
  for (const t of [0.3, 1, 2.5, 10]) {
    close(studentTwoSidedP(t, 1), 1 - (2 / Math.PI) * Math.atan(t));
    close(studentTwoSidedP(t, 2), 1 - t / Math.sqrt(t * t + 2));
  }
});

/**
 * Two-sided p = I_{df/(df+t²)}(df/2, 1/2) computed with mpmath at 40 digits. Kept hand-written
 * (not jstat or @stdlib) because it stays within 1e-12 of these: jstat 1.9.6 was off by up to
 * 3e-8, and @stdlib's t CDF, though as close, comes with a 289-package tree.
 */
const T_REFERENCE: Array<[t: number, df: number, p: number]> = [
  [0.5, 1, 0.7048327646991335], [2, 5, 0.10193947882985836], [2.5, 3, 0.08770664700806555], [3, 10, 0.013343655022569578],
  [0.1, 30, 0.9210096117902712], [5, 4, 0.007490433881274524], [1.96, 1000, 0.05027318495574872], [4, 7.3, 0.0047623671643271075],
  [2.2, 2.7, 0.1250687312313065], [8, 20, 1.1656628271488522e-7], [0, 5, 1], [20, 3, 0.0002732032502473117],
];

test('Student t two-sided p within 1e-12 (relative) of 40-digit reference values, fractional df and far tails included', () => {
  for (const [t, df, p] of T_REFERENCE) {
    const got = studentTwoSidedP(t, df);
    assert.ok(Math.abs(got - p) <= 1e-12 * p, `t=${t} df=${df}: ${got} != ${p}`);
  }
});

test("Welch's t-test matches scipy.stats.ttest_ind(equal_var=False)", () => {
  const a = welchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])!;
  close(a.statistic, 1.8973665961010275);
  close(a.df!, 5.882352941176471);
  close(a.p, 0.10753119493062728, 1e-9);
  const b = welchTTest([10.1, 9.8, 10.3], [12.0, 12.4, 11.9, 12.2])!;
  close(b.p, 0.0003159231248509216, 1e-9);
  assert.equal(welchTTest([1], [2, 3]), undefined);
  assert.equal(welchTTest([2, 2], [2, 2])!.p, 1);
  assert.equal(welchTTest([2, 2], [3, 3])!.p, 0);
});

test('normal CDF and z-test', () => {
  close(normalCdf(0), 0.5, 1e-9);
  close(normalCdf(1.959964), 0.975, 1e-6);
  close(zTest(10, 1, 10, 1).p, 1, 1e-6);
  close(zTest(0, 1, 1.959964 * Math.SQRT2, 1).p, 0.05, 1e-6);
});

test('quantile standard error shrinks with more samples', () => {
  const small = newHistogram();
  const big = newHistogram();
  for (let i = 1; i <= 1000; i++) record(small, i / 100);
  for (let i = 1; i <= 100000; i++) record(big, (i % 1000 + 1) / 100);
  const s = quantileStdError(small, 0.5);
  const b = quantileStdError(big, 0.5);
  assert.ok(s > 0 && b > 0 && b < s / 5, `${s} vs ${b}`);
});
