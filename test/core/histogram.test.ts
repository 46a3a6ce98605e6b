import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decode, distributionOf, encode, mergeEncoded, newHistogram, record } from '../../src/metrics/histogram.js';

test('histograms recorded in two agents merge exactly into the combined distribution', () => {
  const a = newHistogram();
  const b = newHistogram();
  const all = newHistogram();
  for (let i = 1; i <= 1000; i++) {
    const v = i * 0.013; // ms, sub-millisecond included
    record(i % 2 ? a : b, v);
    record(all, v);
  }
  const merged = mergeEncoded([encode(a), encode(b)]);
  assert.equal(merged.totalCount, 1000);
  assert.deepEqual(distributionOf(merged), distributionOf(all));
});

test('distribution is reported in the unit recorded, with 3 significant digits', () => {
  const h = newHistogram();
  for (const v of [0.25, 0.5, 1, 2, 100]) record(h, v);
  const d = distributionOf(h);
  assert.equal(d.count, 5);
  assert.ok(Math.abs(d.min - 0.25) <= 0.25 * 0.001);
  assert.ok(Math.abs(d.p50 - 1) <= 0.001);
  assert.ok(Math.abs(d.max - 100) <= 100 * 0.001);
  assert.ok(Math.abs(d.mean - 20.75) <= 0.05);
});

test('an encoded histogram survives a round trip', () => {
  const h = newHistogram();
  record(h, 3.5, 7);
  const back = decode(encode(h));
  assert.equal(back.totalCount, 7);
  assert.equal(distributionOf(back).p99, distributionOf(h).p99);
});

test('an empty histogram summarises to zeros', () => {
  assert.deepEqual(distributionOf(newHistogram()), { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 });
});
