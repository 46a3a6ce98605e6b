import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rolloutBatches } from '../../src/workloads/rollout-plan.js';

/** Replays the batches and checks the Deployment controller's two bounds at every step. */
function replay(replicas: number, surge: number, unavailable: number) {
  let old = replicas;
  let fresh = 0;
  for (const b of rolloutBatches(replicas, surge, unavailable)) {
    fresh += b.start;
    assert.ok(old + fresh <= replicas + surge, `at most replicas + maxSurge pods (${old}+${fresh})`);
    old -= b.stop;
    assert.ok(old + fresh >= replicas - unavailable, `at least replicas - maxUnavailable available (${old}+${fresh})`);
  }
  assert.deepEqual([old, fresh], [0, replicas]);
}

test('rollout batches as the Deployment controller sizes them', () => {
  assert.deepEqual(rolloutBatches(4, 1, 1), [{ start: 1, stop: 2 }, { start: 2, stop: 2 }, { start: 1, stop: 0 }]);
  assert.deepEqual(rolloutBatches(4, 1, 0), [{ start: 1, stop: 1 }, { start: 1, stop: 1 }, { start: 1, stop: 1 }, { start: 1, stop: 1 }]);
  assert.deepEqual(rolloutBatches(4, 0, 1), [{ start: 0, stop: 1 }, { start: 1, stop: 1 }, { start: 1, stop: 1 }, { start: 1, stop: 1 }, { start: 1, stop: 0 }]);
  for (const [r, s, u] of [[1, 1, 0], [3, 2, 1], [10, 3, 2], [4, 4, 4], [7, 0, 3]] as const) replay(r, s, u);
  assert.throws(() => rolloutBatches(4, 0, 0), /at least 1/);
});
