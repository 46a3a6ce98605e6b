import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunResult } from '../../src/results/model.js';
import { LOCK_PATH } from '../../src/providers/local/lock.js';
import { runCli } from '../cli/run-cli.js';
import { hostSnapshot, ourNetns } from './host-state.js';

const quick = ['--set', 'services.count=50', '--set', 'workloads.dns.duration=1s'];

test('Ctrl-C mid-run exits 130, keeps the results measured so far (partial) and leaves nothing behind', async () => {
  const before = hostSnapshot();
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
  assert.deepEqual(ourNetns(), []);
  assert.deepEqual(hostSnapshot(), before);
});

test('after kill -9, `clean` removes the leftovers by run id', async () => {
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
  const left = ourNetns();
  assert.ok(left.length > 0, 'kill -9 leaves namespaces behind');
  rmSync(LOCK_PATH, { force: true });
  const c = await runCli(['clean']);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, /run [0-9a-f]{8}: removed \d+ namespace/);
  assert.deepEqual(ourNetns(), []);
});

test('a second local run while one is active is refused (exit 1) and creates nothing', async () => {
  writeFileSync(LOCK_PATH, `${process.pid} cafebabe\n`);
  try {
    const out = mkdtempSync(join(tmpdir(), 'disco-lock-'));
    const r = await runCli(['bench', '--scenario', 'smoke', '--out', out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /another local run \(cafebabe, pid \d+\) is in progress/);
    assert.deepEqual(readdirSync(out), []);
    assert.deepEqual(ourNetns(), []);
  } finally {
    rmSync(LOCK_PATH, { force: true });
  }
});
