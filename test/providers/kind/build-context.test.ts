import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { AGENT_DOCKERFILE } from '../../../src/providers/kind/plan.js';
import { REPO_ROOT } from '../../../src/providers/kube/infra.js';
import { contextFilter, copySources, filesOf, ignoreFileFor, readText } from './build-context.js';

test('the ignore matcher follows Docker, not gitignore: exceptions re-include files under excluded directories', () => {
  const inContext = contextFilter('*\n!native/build/Release/netio.node\n!dist/src\n');
  assert.equal(inContext('native/build/Release/netio.node'), true);
  assert.equal(inContext('native/build/Release/other.node'), false);
  assert.equal(inContext('dist/src/cli/main.js'), true);
  assert.equal(inContext('dist/test/x.js'), false);
  // a directory pattern excludes everything below it; the last matching pattern wins
  const c2 = contextFilter('results\n!results/baselines\nresults/baselines/old\n');
  assert.equal(c2('results/x/run.json'), false);
  assert.equal(c2('results/baselines/a/run.json'), true);
  assert.equal(c2('results/baselines/old/run.json'), false);
});

test('COPY sources are read from the Dockerfile (flags, JSON form, --from skipped)', () => {
  assert.deepEqual(copySources('FROM x\nCOPY --chown=node a b* ./\nCOPY ["c d", "/e"]\nCOPY --from=build /out /app\nADD f \\\n  /g\n'), ['a', 'b*', 'c d', 'f']);
});

test('agent image: every COPY source of infra/agent/Dockerfile is in the build context its ignore file leaves', () => {
  const ignoreFile = ignoreFileFor(AGENT_DOCKERFILE, REPO_ROOT);
  assert.ok(ignoreFile, 'the agent image has an ignore file (else the whole repository, node_modules and results included, is sent)');
  assert.equal(ignoreFile, `${AGENT_DOCKERFILE}.dockerignore`);
  const inContext = contextFilter(readText(ignoreFile));
  const sources = copySources(readText(AGENT_DOCKERFILE));
  assert.ok(sources.includes('native/build/Release/netio.node'));
  const missing: string[] = [];
  for (const source of sources) {
    const files = filesOf(REPO_ROOT, source);
    // a source that is not built yet is still checked by its own path
    if (files.length === 0) files.push(source.replace(/\*.*$/, ''));
    missing.push(...files.filter((f) => !inContext(f)));
  }
  assert.deepEqual(missing.slice(0, 10), [], `${missing.length} path(s) that COPY needs are excluded from the context`);
  // and it stays small: sources, tests and results stay out
  for (const p of ['src/cli/main.ts', 'dist/test/kind/infra.test.js', 'results/x/run.json', '.git/HEAD', 'native/netio.cc']) assert.equal(inContext(p), false, p);
});

test('the agent image context holds the built files when the build has run', { skip: !existsSync(join(REPO_ROOT, 'native/build/Release/netio.node')) && 'native addon not built' }, () => {
  assert.ok(filesOf(REPO_ROOT, 'dist/src').some((f) => f === 'dist/src/cli/main.js'));
});
