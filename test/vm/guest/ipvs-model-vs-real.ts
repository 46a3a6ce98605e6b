import { test } from 'node:test';
import { run } from '../../../src/core/exec.js';
import { compareWithKubeProxy } from '../../providers/local/model-vs-real.js';
import { normalizeIpvs } from '../../providers/local/ruleset-normalize.js';

/*
 * Runs inside `discobench vm` (ip_vs and dummy): real kube-proxy --proxy-mode=ipvs against real
 * etcd and API server programs the node namespace, the model a scratch one; virtual and real
 * servers, ipsets, kube-ipvs0's addresses and the iptables rules must be the same.
 * test/vm/ipvs.test.ts starts it.
 */
test('the kube-proxy model programs IPVS as real kube-proxy does (IPVS, ipsets, kube-ipvs0, iptables)', () =>
  compareWithKubeProxy('ipvs', async (netns) => normalizeIpvs({
    ipvsadm: (await run('ipvsadm', ['-Sn'], { netns })).stdout,
    ipset: (await run('ipset', ['save'], { netns })).stdout,
    addresses: (await run('ip', ['-o', '-4', 'addr', 'show', 'dev', 'kube-ipvs0'], { netns, reject: false })).stdout,
    iptables: (await run('iptables-save', [], { netns })).stdout,
  })));
