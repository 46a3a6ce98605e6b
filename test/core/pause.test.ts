import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { performance } from 'node:perf_hooks';
import { test } from 'node:test';
import { pause } from '../../src/core/pause.js';

test('pause: a finished pause takes its abort listener with it (a paced loop on one signal does not pile them up)', async () => {
  const ac = new AbortController();
  for (let i = 0; i < 20; i++) await pause(1, ac.signal);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
});

test('pause: an abort ends it at once, and without a signal it simply waits', async () => {
  const ac = new AbortController();
  const t0 = performance.now();
  const p = pause(10_000, ac.signal);
  setTimeout(() => ac.abort(), 20);
  await p;
  assert.ok(performance.now() - t0 < 1000);
  assert.equal(getEventListeners(ac.signal, 'abort').length, 0);
  const t1 = performance.now();
  await pause(30);
  assert.ok(performance.now() - t1 >= 29);
});
