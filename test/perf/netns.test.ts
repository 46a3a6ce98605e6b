import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { runCli } from '../cli/run-cli.js';

const netns = () => spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!);

test("clean removes the namespaces of a perf process that is gone, and never a running perf's", async () => {
  // a pid that surely exited: a process that ran and was reaped
  const dead = spawnSync('true').pid!;
  const gone = `disco-perf${dead}-http-node`;
  const running = `disco-perf${process.pid}-http-node`;
  spawnSync('ip', ['netns', 'add', gone]);
  spawnSync('ip', ['netns', 'add', running]);
  try {
    const r = await runCli(['clean', '--local-only']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`perf: removed \\d+ namespace\\(s\\) of a perf run that is gone \\(.*${gone}`));
    assert.ok(!netns().includes(gone), 'the dead perf\'s namespace is gone');
    assert.ok(netns().includes(running), 'the running one is kept');
  } finally {
    spawnSync('ip', ['netns', 'del', gone]);
    spawnSync('ip', ['netns', 'del', running]);
  }
});
