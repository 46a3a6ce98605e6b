import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PROVIDER_NAMES } from '../../src/scenario/provider-names.js';
import { localProvider } from '../../src/providers/local/entry.js';
import { ClusterSpec } from '../../src/scenario/schema.js';
import { runCli } from './run-cli.js';

test('doctor prints every registered provider\'s own check; --strict follows the local provider\'s check of its default configuration', async () => {
  const r = await runCli(['doctor']);
  assert.equal(r.code, 0, r.stderr);
  for (const name of PROVIDER_NAMES) assert.match(r.stdout, new RegExp(`^${name} provider:$`, 'm'));
  // the local provider refuses cilium in its check(); doctor says so rather than keeping its own list
  assert.match(r.stdout, /^local provider:\n(?:.*\n)*? {2}not ok {2}cilium, cilium\+nodelocal\n {12}missing: proxy cilium runs on kind only/m);
  const ready = await localProvider.create({ runId: 'doctor', workDir: '/nonexistent', log: () => undefined, options: {} }).check(ClusterSpec.parse({})).then(() => true, () => false);
  const strict = await runCli(['doctor', '--strict']);
  assert.equal(strict.code, ready ? 0 : 4, strict.stderr);
});
