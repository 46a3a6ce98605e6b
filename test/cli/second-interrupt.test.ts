import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { benchInterrupts } from '../../src/cli/commands/bench.js';
import { InterruptedError } from '../../src/core/errors.js';
import type { RunOptions } from '../../src/core/exec.js';
import { Registry } from '../../src/core/registry.js';
import { existingProvider } from '../../src/providers/existing/provider.js';
import { kindProvider } from '../../src/providers/kind/provider.js';
import type { CommandRunner } from '../../src/providers/kube/command.js';
import type { ProviderEntry } from '../../src/providers/provider.js';
import { runBench } from '../../src/runner/run.js';
import { FakeKubeApi, RecordingRunner } from '../providers/kube/fakes.js';

/**
 * A command that does not end by itself, and ignores the first Ctrl-C, as a slow
 * `kind load` or `kubectl rollout status` may: only the second Ctrl-C can clean up now.
 */
function holding(recorder: RecordingRunner, stuck: (file: string, args: string[]) => boolean) {
  let reached!: () => void;
  let release!: (err: Error) => void;
  const atStuck = new Promise<void>((r) => { reached = r; });
  const released = new Promise<never>((_, reject) => { release = reject; });
  const runner: CommandRunner = {
    async run(file: string, args: readonly string[], opts?: RunOptions) {
      const out = await recorder.run(file, args, opts);
      if (stuck(file, [...args])) {
        reached();
        await released;
      }
      return out;
    },
  };
  return { runner, atStuck, release };
}

/** Runs `bench --scenario smoke --provider NAME` as the CLI wires it, presses Ctrl-C twice at the stuck command. */
async function benchWithTwoInterrupts(name: 'kind' | 'existing', entry: ProviderEntry, atStuck: Promise<void>, release: (err: Error) => void, context?: string) {
  const out = mkdtempSync(join(tmpdir(), 'disco-int2-'));
  const logs: string[] = [];
  const registry = new Registry<ProviderEntry>('provider');
  registry.register(name, entry);
  let exited: (code: number) => void;
  const exit = new Promise<number>((r) => { exited = r; });
  const { interrupts, onStarted } = benchInterrupts((m) => logs.push(m), (code) => exited(code));
  let runId = '';
  const run = runBench({ scenario: 'smoke', provider: name, out, context, signal: interrupts.signal, log: (m) => logs.push(m), registry, onStarted: (r) => { runId = r.runId; onStarted(r); } });
  run.catch(() => undefined);
  const finish = async () => {
    try {
      release(new Error('killed'));
      await assert.rejects(run, InterruptedError);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  };
  await Promise.race([atStuck, run]);
  interrupts.onSignal('SIGINT');
  interrupts.onSignal('SIGINT');
  const code = await exit;
  return { code, runId, logs, finish };
}

test('second Ctrl-C during a kind run deletes that run\'s kind cluster, not a local namespace', async () => {
  const recorder = new RecordingRunner((file, args) => (file === 'kind' && args[0] === 'version' ? { stdout: 'kind v0.32.0\n' } : undefined));
  const { runner, atStuck, release } = holding(recorder, (file, args) => file === 'kind' && args[0] === 'load');
  const r = await benchWithTwoInterrupts('kind', kindProvider({ runner, kubeApi: (c) => new FakeKubeApi(c) }), atStuck, release);
  assert.equal(r.code, 130);
  assert.match(r.runId, /^[0-9a-f]{8}$/);
  const lines = recorder.lines();
  const create = lines.findIndex((l) => l.startsWith(`kind create cluster --name disco-${r.runId} `));
  const load = lines.findIndex((l) => l.startsWith('kind load docker-image'));
  assert.ok(create >= 0 && load > create, lines.join('\n'));
  // while `kind load` still hangs (so not the orderly teardown): the second Ctrl-C's delete, and nothing else
  assert.deepEqual(lines.slice(load + 1), [`kind delete cluster --name disco-${r.runId}`]);
  assert.ok(r.logs.includes(`removed: kind cluster disco-${r.runId}`), r.logs.join('\n'));
  await r.finish();
});

test('second Ctrl-C during an existing run deletes the run\'s namespace in the context it used', async () => {
  const api = new FakeKubeApi('kind-x');
  const contexts: Array<string | undefined> = [];
  const recorder = new RecordingRunner((file, args) => (args.includes('jsonpath={.spec.clusterIP}') ? { stdout: '10.96.0.10' } : undefined));
  const { runner, atStuck, release } = holding(recorder, (file, args) => file === 'kubectl' && args.includes('rollout'));
  const entry = existingProvider({ runner, kubeApi: (c) => { contexts.push(c); return api; }, image: 'reg.example/agent:1' });
  const r = await benchWithTwoInterrupts('existing', entry, atStuck, release, 'kind-x');
  assert.equal(r.code, 130);
  const ns = `discobench-${r.runId}`;
  // up() created it, the second Ctrl-C removed it while `rollout status` still hung
  assert.deepEqual(api.log, [`apply Namespace//${ns}`, `remove Namespace//${ns}`]);
  assert.equal(api.objects.has(`Namespace//${ns}`), false);
  assert.deepEqual(contexts.at(-1), 'kind-x', 'clean connects to the context the run used');
  assert.ok(recorder.lines().at(-1)!.includes('rollout status'), 'no command ran after the stuck one');
  assert.ok(r.logs.includes(`removed: namespace kind-x/${ns}`), r.logs.join('\n'));
  await r.finish();
});

test('second Ctrl-C before the run created anything exits 130 and removes nothing', async () => {
  const logs: string[] = [];
  let code: number | undefined;
  const { interrupts } = benchInterrupts((m) => logs.push(m), (c) => { code = c; });
  interrupts.onSignal('SIGINT');
  assert.equal(interrupts.signal.aborted, true);
  interrupts.onSignal('SIGTERM');
  await new Promise((r) => setImmediate(r));
  assert.equal(code, 130);
  assert.deepEqual(logs.slice(1), ['second interrupt: removing everything of this run now', 'nothing was created yet']);
});
