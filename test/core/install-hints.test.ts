import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installHint, missingTool } from '../../src/core/exec.js';

test('kind, kubectl and helm are not (usable) Debian packages: hints point at their install pages', () => {
  assert.equal(installHint('kind'), 'install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation');
  assert.equal(installHint('helm'), 'install helm: https://helm.sh/docs/intro/install/');
  assert.equal(installHint('kubectl'), 'install kubectl: https://kubernetes.io/docs/tasks/tools/');
  for (const t of ['kind', 'helm', 'kubectl']) assert.doesNotMatch(missingTool(t).hint ?? '', /apt-get/);
  assert.equal(installHint('docker'), 'apt-get install docker.io');
  assert.equal(installHint('nft'), 'apt-get install nftables');
});
