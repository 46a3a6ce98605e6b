import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareCommand } from '../../src/cli/commands/compare.js';
import { reportCommand } from '../../src/cli/commands/report.js';
import { RegressionError, UsageError, PrerequisiteError } from '../../src/core/errors.js';
import { haveTool } from '../../src/core/exec.js';
import type { RunResult } from '../../src/results/model.js';
import { smokeRun } from './fixtures.js';

let root: string;
const printed: string[] = [];
const origLog = console.log;
const origWrite = process.stdout.write.bind(process.stdout);
const origError = console.error;

async function runDir(name: string, r: RunResult): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'run.json'), JSON.stringify(r));
  return dir;
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'disco-t-report-'));
  console.log = (...args: unknown[]) => { printed.push(args.join(' ')); };
  console.error = () => undefined;
  // compare writes its markdown with process.stdout.write; the test runner's own output
  // (TAP on stdout) must still pass, so only our markdown is captured
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    if (typeof chunk === 'string' && chunk.startsWith('# discobench compare')) { printed.push(chunk); return true; }
    return (origWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
});
after(async () => {
  console.log = origLog;
  console.error = origError;
  process.stdout.write = origWrite;
  await rm(root, { recursive: true, force: true });
});

test('compare of a run with itself: exit 0 with --fail-on-regression, files written', async () => {
  const base = await runDir('self', smokeRun(1, 1));
  printed.length = 0;
  await compareCommand().parseAsync([base, base, '--fail-on-regression'], { from: 'user' });
  assert.match(printed.join('\n'), /\*\*No regression\*\*/);
  for (const f of ['compare.md', 'compare.html', 'compare.json']) assert.ok((await stat(join(base, f))).size > 0, f);
  const json = JSON.parse(await readFile(join(base, 'compare.json'), 'utf8'));
  assert.equal(json.regressions.length, 0);
});

test('a copy with dns.lookup.latency 60% worse: exit 3 naming the metric', async () => {
  const base = await runDir('base', smokeRun(1, 3));
  const cand = await runDir('cand', smokeRun(5, 3, 1.6));
  const out = join(root, 'out');
  printed.length = 0;
  // without --fail-on-regression: reported, not an error
  await compareCommand().parseAsync([base, cand, '--out', out], { from: 'user' });
  assert.match(printed.join('\n'), /regressions: dns\.lookup\.latency/);
  await assert.rejects(compareCommand().parseAsync([base, cand, '--threshold', '10', '--fail-on-regression', '--out', out], { from: 'user' }), (err: unknown) => {
    assert.ok(err instanceof RegressionError);
    assert.equal(err.exitCode, 3);
    assert.match(err.message, /dns\.lookup\.latency/);
    return true;
  });
  assert.match(await readFile(join(out, 'compare.md'), 'utf8'), /REGRESSION/);
  // a threshold above the change: no regression
  await compareCommand().parseAsync([base, cand, '--threshold', '200', '--fail-on-regression', '--out', out], { from: 'user' });
});

test('single repeat, a copy whose dns.lookup.latency figures are 60% worse (histogram untouched): exit 3', async () => {
  const r = smokeRun(11, 1);
  const worse = structuredClone(r);
  for (const v of worse.variants) {
    const m = v.metrics['dns.lookup.latency']!;
    for (const k of ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max', 'value'] as const) m[k] *= 1.6;
  }
  const base = await runDir('one', r);
  const cand = await runDir('one-worse', worse);
  await assert.rejects(compareCommand().parseAsync([base, cand, '--fail-on-regression'], { from: 'user' }), (err: unknown) => err instanceof RegressionError && /dns\.lookup\.latency/.test(err.message) && err.problems.every((p) => p.startsWith('dns.lookup.latency')));
});

test('missing or invalid run.json and a bad threshold are usage errors naming the path / flag', async () => {
  const good = await runDir('good', smokeRun(1, 1));
  const missing = join(root, 'nope');
  await assert.rejects(compareCommand().parseAsync([good, missing], { from: 'user' }), (err: unknown) => err instanceof UsageError && err.exitCode === 2 && err.message.includes(join(missing, 'run.json')));
  const bad = join(root, 'bad');
  await mkdir(bad, { recursive: true });
  await writeFile(join(bad, 'run.json'), '{"schemaVersion": 1');
  await assert.rejects(reportCommand().parseAsync([bad], { from: 'user' }), (err: unknown) => err instanceof UsageError && err.message.includes(join(bad, 'run.json')));
  await writeFile(join(bad, 'run.json'), '{"schemaVersion": 2, "variants": []}');
  await assert.rejects(compareCommand().parseAsync([good, bad], { from: 'user' }), (err: unknown) => err instanceof UsageError && /schemaVersion/.test(err.message));
  await assert.rejects(compareCommand().parseAsync([good, good, '--threshold', 'ten'], { from: 'user' }), (err: unknown) => err instanceof UsageError && /--threshold/.test(err.message));
});

test('report re-renders summary.md, report.html and charts/*.png from run.json', async () => {
  const dir = await runDir('render', smokeRun(1, 2));
  await mkdir(join(dir, 'charts'), { recursive: true });
  await writeFile(join(dir, 'charts', 'stale.png'), 'from an older rendering');
  printed.length = 0;
  const chromium = await haveTool('chromium');
  const cmd = reportCommand().parseAsync([dir], { from: 'user' });
  if (chromium) await cmd;
  else await assert.rejects(cmd, (err: unknown) => err instanceof PrerequisiteError && /chromium/.test(err.hint ?? ''));
  assert.ok(printed.includes(join(dir, 'summary.md')));
  assert.ok(printed.includes(join(dir, 'report.html')));
  assert.match(await readFile(join(dir, 'summary.md'), 'utf8'), /^# discobench: smoke/);
  if (!chromium) return;
  const png = await readFile(join(dir, 'charts', 'dns.lookup.latency.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.readUInt32BE(16), 960);
  assert.equal(png.readUInt32BE(20), 540);
  assert.ok(png.length > 10_000, `${png.length} bytes`);
  assert.ok(printed.includes(join(dir, 'charts', 'series-dns.queries.rate.png')));
  await assert.rejects(stat(join(dir, 'charts', 'stale.png')));
});
