import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { INFRA_DIR } from '../../../src/providers/kube/infra.js';

/**
 * actionlint, pinned in infra/components/actionlint (a Go module like the other real components):
 * the binary `npm run setup` built into $DISCOBENCH_BIN_DIR when there is one, else `go run` from
 * that module (Go caches the build). No Go and no binary is a failure, not a skip: the workflow
 * would otherwise go unchecked.
 */
async function actionlint(args: string[]) {
  const dir = process.env['DISCOBENCH_BIN_DIR'];
  const bin = dir ? join(dir, 'actionlint') : undefined;
  if (bin && existsSync(bin)) return execa(bin, args, { reject: false });
  const moduleDir = join(INFRA_DIR, 'components', 'actionlint');
  return execa('go', ['run', 'github.com/rhysd/actionlint/cmd/actionlint', ...args], { cwd: moduleDir, reject: false, env: { GOFLAGS: '-mod=mod' } });
}

test('infra/github/nightly.yml passes actionlint', { timeout: 600_000 }, async () => {
  const version = await actionlint(['-version']);
  assert.equal(version.exitCode, 0, `actionlint could not run (set DISCOBENCH_BIN_DIR or install Go): ${version.stderr}`);
  const r = await actionlint(['-no-color', join(INFRA_DIR, 'github', 'nightly.yml')]);
  assert.equal(r.exitCode, 0, `actionlint:\n${r.stdout}${r.stderr}`);
});

test('actionlint catches what it is here for (a broken expression in a workflow)', { timeout: 600_000 }, async () => {
  const bad = 'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - if: ${{ steps.nope.outputs.x }\n        run: echo\n';
  const dir = mkdtempSync(join(tmpdir(), 'disco-actionlint-'));
  writeFileSync(join(dir, 'bad.yml'), bad);
  const out = await actionlint(['-no-color', join(dir, 'bad.yml')]);
  assert.equal(out.exitCode, 1, out.stdout + out.stderr);
  assert.match(out.stdout, /bad\.yml:6:/);
});
