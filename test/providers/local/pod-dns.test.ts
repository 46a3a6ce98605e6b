import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { clusterFirstDns, renderPodResolvConf } from '../../../src/dns/pod-dns.js';
import { ClientResolvConfs } from '../../../src/providers/local/pod-dns.js';

/** The local provider's per-namespace resolv.conf: written per agent run, one configuration per namespace at a time. */
const NS = `disco-tpoddns${process.pid}`;
const FILE = `/etc/netns/${NS}/resolv.conf`;

test('client resolv.conf: ClusterFirst by default, the request\'s config while its agents run, a different one refused meanwhile', { skip: process.getuid?.() !== 0 && 'needs root (/etc/netns)' }, () => {
  const clusterFirst = clusterFirstDns('10.96.0.10', 'bench-0', 'cluster.local');
  const confs = new ClientResolvConfs(clusterFirst);
  try {
    confs.use(NS, undefined)();
    assert.equal(readFileSync(FILE, 'utf8'), 'nameserver 10.96.0.10\nsearch bench-0.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n');
    const dns = { ...clusterFirst, ndots: 2, options: [{ name: 'single-request' }] };
    const a = confs.use(NS, dns);
    const b = confs.use(NS, dns);
    assert.equal(readFileSync(FILE, 'utf8'), renderPodResolvConf(dns));
    assert.match(readFileSync(FILE, 'utf8'), /^options ndots:2 single-request$/m);
    assert.throws(() => confs.use(NS, undefined), /another DNS configuration/);
    a();
    a(); // releasing twice counts once
    assert.throws(() => confs.use(NS, undefined), /another DNS configuration/);
    b();
    confs.use(NS, undefined)();
    assert.equal(readFileSync(FILE, 'utf8'), renderPodResolvConf(clusterFirst));
  } finally {
    rmSync(`/etc/netns/${NS}`, { recursive: true, force: true });
  }
});
