import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aggregate, baseVariantId, fmt, groupVariants } from '../../src/report/variants.js';
import { gauge, run, variant } from './fixtures.js';

test('repeat suffixes are stripped from variant ids', () => {
  assert.equal(baseVariantId('proxy=ipvs,ndots=5#2'), 'proxy=ipvs,ndots=5');
  assert.equal(baseVariantId('default-r3'), 'default');
  assert.equal(baseVariantId('iptables-1000'), 'iptables-1000');
});

test('repeats group by params; labels name only the params that vary; gauges average', () => {
  const r = run('x', [
    variant('a#1', { 'cluster.proxy': 'ipvs', 'services.count': 100 }, 1, { 'proxy.rules': gauge(10, 'count') }),
    variant('a#2', { 'cluster.proxy': 'ipvs', 'services.count': 100 }, 2, { 'proxy.rules': gauge(20, 'count') }),
    variant('b#1', { 'cluster.proxy': 'nftables', 'services.count': 100 }, 1, { 'proxy.rules': gauge(5, 'count') }),
  ]);
  const gs = groupVariants(r);
  assert.deepEqual(gs.map((g) => [g.label, g.repeats.length]), [['cluster.proxy=ipvs', 2], ['cluster.proxy=nftables', 1]]);
  const a = aggregate(gs[0]!, 'proxy.rules')!;
  assert.deepEqual([a.n, a.value, a.min, a.max], [2, 15, 10, 20]);
});

test('figures print with three significant digits', () => {
  assert.deepEqual([fmt(0.12345), fmt(12.345), fmt(1234.5), fmt(0), fmt(NaN), fmt(Infinity)], ['0.123', '12.3', '1,235', '0', 'n/a', '∞']);
});
