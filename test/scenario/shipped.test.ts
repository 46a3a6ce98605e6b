import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { ScenarioSpec } from '../../src/scenario/schema.js';

/** scenarios/ from dist/test/scenario */
const dir = fileURLToPath(new URL('../../../scenarios/', import.meta.url));
const NAMES = ['iptables-1000', 'iptables-5000', 'ipvs-5000', 'nftables-5000', 'cilium-5000', 'proxy-modes-5000', 'scaling-iptables-vs-nftables', 'churn'];

function load(name: string) {
  const result = ScenarioSpec.safeParse(parse(readFileSync(`${dir}${name}.yaml`, 'utf8')));
  assert.ok(result.success, `${name}: ${JSON.stringify(result.error?.issues)}`);
  return result.data;
}

/** A matrix key must name a field the schema knows, with every value valid there. */
function checkMatrix(name: string, raw: Record<string, unknown>, matrix: Record<string, unknown[]>): void {
  for (const [path, values] of Object.entries(matrix)) {
    for (const v of values) {
      const doc = structuredClone(raw);
      const keys = path.split('.');
      let cur = doc as Record<string, unknown>;
      for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
      cur[keys.at(-1)!] = v;
      delete doc.matrix;
      const r = ScenarioSpec.safeParse(doc);
      assert.ok(r.success, `${name}: matrix ${path}=${String(v)}: ${JSON.stringify(r.error?.issues)}`);
    }
  }
}

describe('proxy scenarios', () => {
  for (const name of NAMES) {
    it(`${name} validates, is named for its file and says what it measures`, () => {
      const s = load(name);
      assert.equal(s.name, name);
      assert.ok(s.description.length > 20 && !s.description.includes('\n'));
      checkMatrix(name, parse(readFileSync(`${dir}${name}.yaml`, 'utf8')), s.matrix);
    });
  }

  it('the 5000-Service scenarios carry sync, connect and short DNS and HTTP loads', () => {
    for (const name of NAMES.filter((n) => n.endsWith('-5000'))) {
      const w = load(name).workloads;
      assert.ok(w.sync && w.connect, name);
      assert.equal(w.dns?.duration, 5000, name);
      assert.equal(w.http?.duration, 5000, name);
    }
  });

  it('the scaling scenario spans 1k..30k Services for iptables and nftables, sync and connect only', () => {
    const s = load('scaling-iptables-vs-nftables');
    assert.deepEqual(s.matrix['cluster.proxy'], ['iptables', 'nftables']);
    assert.equal(Math.min(...(s.matrix['services.count'] as number[])), 1000);
    assert.equal(Math.max(...(s.matrix['services.count'] as number[])), 30000);
    assert.deepEqual(Object.keys(s.workloads).sort(), ['connect', 'sync']);
  });

  it('cilium runs on kind, every other one locally', () => {
    for (const name of NAMES) assert.equal(load(name).provider, name === 'cilium-5000' ? 'kind' : 'local', name);
  });
});
