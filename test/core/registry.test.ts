import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Registry } from '../../src/core/registry.js';

test('a second registration of a name throws; unknown names list the known ones', () => {
  const r = new Registry<number>('widget');
  r.register('a', 1);
  assert.throws(() => r.register('a', 2), /widget "a" is already registered/);
  assert.equal(r.require('a'), 1);
  assert.throws(() => r.require('b'), /unknown widget "b" \(known: a\)/);
});
