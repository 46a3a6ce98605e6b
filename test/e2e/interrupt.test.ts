import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/results/model.js';
import { runCli } from '../cli/run-cli.js';
import { hostSnapshot, ourNetns } from './host-state.js';

const quick = ['--set', 'services.count=50', '--set', 'workloads.dns.duration=1s'];

test('Ctrl-C mid-run exits 130, keeps the results measured so far (partial) and leaves nothing behind', async () => {
  const before = hostSnapshot();
  const netnsBefore = ourNetns();
  const out = mkdtempSync(join(tmpdir(), 'disco-int-'));
  let sent = false;
  const r = await runCli(['bench', '--scenario', 'smoke', '--out', out, ...quick, '--set', 'workloads.http.duration=30s'], {
    onStderr: (text, child) => {
      if (!sent && text.includes('http ...')) {
        sent = true;
        setTimeout(() => child.kill('SIGINT'), 1500);
      }
    },
  });
  assert.ok(sent, r.stderr);
  assert.equal(r.code, 130, r.stderr);
  const [dir] = readdirSync(out);
  const run = JSON.parse(readFileSync(join(out, dir!, 'run.json'), 'utf8')) as RunResult;
  assert.equal(run.status, 'partial');
  const m = run.variants[0]!.metrics;
  assert.ok(m['tcp.connect.latency']!.count > 0, 'the connect probes measured before Ctrl-C are kept');
  assert.ok(m['dns.lookup.latency']!.count > 0, 'the DNS flood measured before Ctrl-C is kept');
  assert.deepEqual(ourNetns(), netnsBefore);
  assert.deepEqual(hostSnapshot(), before);
});

test('after kill -9, `clean` removes the leftovers by run id', async () => {
  const before = ourNetns();
  const out = mkdtempSync(join(tmpdir(), 'disco-kill-'));
  let killed = false;
  await runCli(['bench', '--scenario', 'smoke', '--out', out, ...quick], {
    onStderr: (text, child) => {
      if (!killed && text.includes('connect ...')) {
        killed = true;
        child.kill('SIGKILL');
      }
    },
  });
  assert.ok(killed);
  // only this run's leftovers: other runs on the machine (or their tests) are not ours to clean
  const left = ourNetns().filter((n) => !before.includes(n));
  assert.ok(left.length > 0, 'kill -9 leaves namespaces behind');
  const ids = [...new Set(left.map((n) => n.split('-')[1]!))];
  assert.equal(ids.length, 1, `one run's namespaces: ${left.join(' ')}`);
  // the killed run's lock names a dead pid: clean must not mistake it for a run in progress
  const c = await runCli(['clean', '--local-only', ids[0]!]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, new RegExp(`run ${ids[0]}: removed ${left.length} namespace`));
  assert.deepEqual(ourNetns().filter((n) => left.includes(n)), []);
});

test('clean leaves a run in progress alone', async () => {
  const lock = join(mkdtempSync(join(tmpdir(), 'disco-lock-')), 'local.lock');
  writeFileSync(lock, `${process.pid} cafebabe\n`);
  const c = await runCli(['clean', '--local-only', 'cafebabe'], { env: { DISCOBENCH_LOCAL_LOCK: lock } });
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /run cafebabe: in progress \(pid \d+\), not touched/);
});

test('a second local run while one is active is refused (exit 1) and creates nothing', async () => {
  // a lock of its own: the machine-wide one may belong to a real run right now
  const lock = join(mkdtempSync(join(tmpdir(), 'disco-lock-')), 'local.lock');
  writeFileSync(lock, `${process.pid} cafebabe\n`);
  const before = ourNetns();
  const out = mkdtempSync(join(tmpdir(), 'disco-lock-'));
  const r = await runCli(['bench', '--scenario', 'smoke', '--out', out], { env: { DISCOBENCH_LOCAL_LOCK: lock } });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /another local run \(cafebabe, pid \d+\) is in progress/);
  assert.deepEqual(readdirSync(out), []);
  assert.deepEqual(ourNetns(), before);
  assert.equal(readFileSync(lock, 'utf8'), `${process.pid} cafebabe\n`, 'the refused run leaves the owner\'s lock as it was');
});
