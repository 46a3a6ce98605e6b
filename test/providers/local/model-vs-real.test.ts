import { test } from 'node:test';
import { run } from '../../../src/core/exec.js';
import { compareWithKubeProxy } from './model-vs-real.js';
import { normalizeIptables, normalizeNft } from './ruleset-normalize.js';

// IPVS needs ip_vs and dummy, which this host lacks: test/vm/guest/ipvs-model-vs-real.ts
test('the kube-proxy model renders what real kube-proxy programs (iptables)', () =>
  compareWithKubeProxy('iptables', async (netns) => normalizeIptables((await run('iptables-save', [], { netns })).stdout)));

test('the kube-proxy model renders what real kube-proxy programs (nftables)', () =>
  compareWithKubeProxy('nftables', async (netns) => normalizeNft((await run('nft', ['list', 'table', 'ip', 'kube-proxy'], { netns })).stdout)));
