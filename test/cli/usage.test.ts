import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ourNetns } from '../e2e/host-state.js';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'disco-cli-'));
const netns = ourNetns;

test('a malformed scenario exits 2 with one line naming the file and the field', async () => {
  const f = join(dir, 'bad.yaml');
  writeFileSync(f, 'name: bad\nworkloads:\n  dns: { ndots: [5, 99] }\n');
  const r = await runCli(['bench', '--scenario', f, '--out', dir]);
  assert.equal(r.code, 2);
  assert.equal(r.stderr.trim(), `error: ${f}: workloads.dns.ndots[1]: must be an integer 0..15`);
  assert.equal(readdirSync(dir).length, 1, 'no run directory was created');
});

test('a bad --set exits 2 naming the --set path; an unknown flag exits 2', async () => {
  const r = await runCli(['bench', '--scenario', 'smoke', '--set', 'services.count=lots', '--dry-run']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^error: --set services\.count: must be an integer 0\.\.50000\n$/);
  const u = await runCli(['bench', '--scenario', 'smoke', '--bogus']);
  assert.equal(u.code, 2);
  assert.match(u.stderr, /unknown option '--bogus'/);
});

test('--dry-run prints the plan and creates no namespace or directory', async () => {
  const out = join(dir, 'dry');
  const r = await runCli(['bench', '--scenario', 'smoke', '--dry-run', '--out', out, '--set', 'workloads.dns.ndots=[5,1]']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /variants:\n {2}ndots=5 .*\n {2}ndots=1 /);
  assert.match(r.stdout, /disco-[0-9a-f]{8}-node/);
  assert.match(r.stdout, /dry run: nothing was created/);
  const runId = /disco-([0-9a-f]{8})-node/.exec(r.stdout)![1]!;
  assert.deepEqual(netns().filter((n) => n.includes(runId)), []);
  assert.throws(() => readdirSync(out));
});

test('unknown scenario and bad clean id exit 2; scenarios lists smoke', async () => {
  const r = await runCli(['bench', '--scenario', 'no-such-thing']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown scenario "no-such-thing" \(known: .*smoke/);
  const c = await runCli(['clean', 'xyz']);
  assert.equal(c.code, 2);
  const s = await runCli(['scenarios']);
  assert.equal(s.code, 0);
  assert.match(s.stdout, /^smoke +local +local, 200 Services/m);
});
