import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitBest, fitModel, headroom, predict } from '../../src/report/projection.js';

const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${a} != ${b}`);
const xs = [1000, 2000, 5000, 10000, 20000, 30000];

test('linear data: linear chosen (simplest of the exact fits), exact coefficients and projection', () => {
  const ys = xs.map((x) => 3 + 0.02 * x);
  const { best } = fitBest(xs, ys)!;
  assert.equal(best.model, 'linear');
  close(best.coefficients[0]!, 3);
  close(best.coefficients[1]!, 0.02);
  close(best.r2, 1);
  close(predict(best, 50000), 1003);
  assert.equal(headroom(best, 603.51, 1000), 30025);
});

test('n log n data: n log n chosen', () => {
  const ys = xs.map((x) => 5 + 0.001 * x * Math.log(x));
  const { best, all } = fitBest(xs, ys)!;
  assert.equal(best.model, 'n log n');
  close(best.coefficients[1]!, 0.001);
  close(predict(best, 50000), 5 + 50 * Math.log(50000));
  assert.equal(all.length, 3);
  assert.ok(all.find((f) => f.model === 'linear')!.adjustedR2 < 1);
});

test('quadratic data: quadratic chosen, projection to 50k exact', () => {
  const ys = xs.map((x) => 20 + 0.01 * x + 1e-6 * x * x);
  const { best } = fitBest(xs, ys)!;
  assert.equal(best.model, 'quadratic');
  close(best.coefficients[2]!, 1e-6);
  close(predict(best, 50000), 20 + 500 + 2500);
  // 20 + 0.01n + 1e-6 n² = 1000  ->  n = (-0.01 + sqrt(1e-4 + 4e-6 * 980)) / 2e-6
  const n = (-0.01 + Math.sqrt(1e-4 + 4e-6 * 980)) / 2e-6;
  assert.equal(headroom(best, 1000, 1000), Math.floor(n));
});

test('falling or flat-with-noise costs get no growth model; a downward parabola is never chosen', () => {
  assert.equal(fitBest(xs, xs.map((x) => 100 - 0.001 * x)), undefined);
  // concave data: the quadratic would bend down and project below zero, so n log n / linear win
  const ys = xs.map((x) => 10 + 0.05 * x - 1.2e-6 * x * x);
  const { best, all } = fitBest(xs, ys)!;
  assert.ok(!all.some((f) => f.model === 'quadratic'));
  assert.ok(predict(best, 50000) > 0);
});

test('a quadratic needs five points', () => {
  const four = [1000, 2000, 5000, 10000];
  const { all } = fitBest(four, four.map((x) => 1 + x * x))!;
  assert.deepEqual(all.map((f) => f.model), ['linear', 'n log n']);
});

test('two points: only the linear fit, adjusted R² n/a', () => {
  const { best, all } = fitBest([1000, 2000], [10, 30])!;
  assert.equal(best.model, 'linear');
  assert.ok(Number.isNaN(best.adjustedR2));
  assert.deepEqual(all.map((f) => f.model), ['linear', 'n log n']);
  close(predict(best, 50000), 990);
});

test('headroom edges: over the limit at once, never over it', () => {
  const f = fitModel('linear', [1, 2, 3], [10, 20, 30])!;
  assert.equal(headroom(f, 5, 1), undefined);
  const flat = fitModel('linear', [1, 2, 3], [1, 1, 1])!;
  assert.equal(headroom(flat, 5, 1), Infinity);
});
