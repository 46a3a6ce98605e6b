import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { loadScenario } from '../../src/scenario/load.js';
import { expandVariants } from '../../src/scenario/expand.js';
import { UsageError } from '../../src/core/errors.js';
import { runCli } from '../cli/run-cli.js';

/** A small deterministic PRNG so a failure is reproducible from the seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const BAD_VALUES: unknown[] = [-1, 1.5, 'lots', true, null, [], {}, 1e9, '', 'iptables ', [5, 'x'], { nested: 1 }];
const FIELDS = [
  'cluster.proxy', 'cluster.nodes', 'cluster.nodeLocalDNS', 'cluster.dnsReplicas', 'cluster.upstreamDelay', 'cluster.iptablesBackend',
  'services.count', 'services.endpointsPerService', 'services.headless', 'services.namespaces',
  'workloads.dns.duration', 'workloads.dns.ndots', 'workloads.dns.inflight', 'workloads.dns.qps', 'workloads.dns.resolver', 'workloads.dns.names.short',
  'workloads.http.connections', 'workloads.http.keepAlive', 'workloads.connect.probes', 'workloads.churn.interval', 'repeat', 'name',
];

function mutate(base: Record<string, unknown>, rand: () => number): { doc: Record<string, unknown>; field: string } {
  const doc = structuredClone(base);
  const field = FIELDS[Math.floor(rand() * FIELDS.length)]!;
  const value = BAD_VALUES[Math.floor(rand() * BAD_VALUES.length)];
  const keys = field.split('.');
  let cur = doc;
  for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[keys[keys.length - 1]!] = value;
  if (rand() < 0.3) (doc as Record<string, unknown>)[`extra${Math.floor(rand() * 100)}`] = 1;
  return { doc, field };
}

const dir = mkdtempSync(join(tmpdir(), 'disco-fuzz-'));
const base = {
  name: 'fuzz', cluster: { proxy: 'iptables' }, services: { count: 10 },
  workloads: { dns: { duration: '1s', names: { short: 0.5 } }, http: { duration: '1s' }, connect: { probes: 10 }, churn: { create: 1 } },
};

test('500 malformed scenarios: each is either valid or a UsageError whose problems all name the file and a field', () => {
  const rand = rng(42);
  let rejected = 0;
  for (let i = 0; i < 500; i++) {
    const { doc } = mutate(base, rand);
    const f = join(dir, `f${i}.yaml`);
    writeFileSync(f, stringify(doc));
    try {
      const { scenario } = loadScenario(f);
      expandVariants(scenario, f);
    } catch (err) {
      assert.ok(err instanceof UsageError, `case ${i}: ${String(err)}`);
      assert.ok(err.problems.length >= 1, `case ${i}: problems listed`);
      for (const p of err.problems) {
        assert.ok(p.startsWith(`${f}: `), `case ${i}: "${p}" names the file`);
        assert.match(p.slice(f.length + 2), /^[a-zA-Z(][\w.[\]()]*: \S/, `case ${i}: "${p}" names a field`);
        assert.ok(!p.includes('\n'), 'one line per problem');
      }
      rejected++;
    }
  }
  assert.ok(rejected > 400, `most mutations are invalid (${rejected})`);
});

test('through the CLI a malformed scenario is exit 2, short, without a stack trace, and creates nothing', async () => {
  const rand = rng(7);
  const out = join(dir, 'out');
  for (let i = 0; i < 5; i++) {
    const f = join(dir, `cli${i}.yaml`);
    let doc = mutate(base, rand).doc;
    while ((() => { try { loadScenario((writeFileSync(f, stringify(doc)), f)); return true; } catch { return false; } })()) doc = mutate(base, rand).doc;
    const r = await runCli(['bench', '--scenario', f, '--out', out]);
    assert.equal(r.code, 2, r.stderr);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
    assert.match(r.stderr, /^error: /);
    assert.throws(() => readdirSync(out));
  }
});
