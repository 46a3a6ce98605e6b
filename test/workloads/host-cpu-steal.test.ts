import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { cpuTicks } from '../../src/workloads/host-cpu-steal.js';

test('cpuTicks: steal and the sum of the eight time fields of /proc/stat\'s cpu line', () => {
  const stat = 'cpu  100 5 50 800 10 1 4 30 7 0\ncpu0 50 2 25 400 5 0 2 15 0 0\nintr 1\n';
  assert.deepEqual(cpuTicks(stat), [30, 1000], 'guest time (7) is already in user: not counted twice');
  const [steal, total] = cpuTicks(readFileSync('/proc/stat', 'utf8'));
  assert.ok(total > 0 && steal >= 0 && steal < total, `this machine: steal ${steal} of ${total}`);
  assert.throws(() => cpuTicks('intr 1\n'), /no "cpu " line/);
});
