import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nftEndpointChain, nftServiceChain, sepChain, servicePortName, svcChain } from '../../src/dataplane/chain-names.js';
import { renderIptables, probability } from '../../src/dataplane/iptables.js';
import { renderNftables } from '../../src/dataplane/nftables.js';
import { renderIpvs } from '../../src/dataplane/ipvs.js';
import { renderRuleset } from '../../src/dataplane/ruleset.js';
import { allServicePorts } from '../../src/dataplane/service-ports.js';
import { state, svc, twoServices } from './fixtures.js';

/*
 * Exact texts for a 2-Service state (three endpoints; one Service without endpoints), checked
 * line by line against kube-proxy's proxier.go (iptables and nftables) when written.
 */

const CIDR = '10.244.0.0/16';

test('chain hashes equal kube-proxy\'s check values', () => {
  assert.equal(svcChain('default/kubernetes:https', 'tcp'), 'KUBE-SVC-NPX46M4PTMTKRN6Y');
  assert.equal(svcChain('kube-system/kube-dns:dns', 'udp'), 'KUBE-SVC-TCOU7JCQXEZGVUNU');
  // kube-proxy's nftables proxier_test.go
  assert.equal(nftServiceChain('ns1', 'svc1', 'tcp', 'p80'), 'service-ULMVA6XW-ns1/svc1/tcp/p80');
  assert.equal(nftEndpointChain('ns1', 'svc1', 'tcp', 'p80', '10.180.0.1', 80), 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
  assert.equal(servicePortName('ns', 'svc', ''), 'ns/svc');
  assert.match(sepChain('default/kubernetes:https', 'tcp', '10.0.0.1:6443'), /^KUBE-SEP-[A-Z2-7]{16}$/);
});

test('statistic probabilities are %0.10f of 1/(n-i)', () => {
  assert.equal(probability(3), '0.3333333333');
  assert.equal(probability(2), '0.5000000000');
  assert.equal(probability(7), '0.1428571429');
});

test('iptables: full restore input, exactly', () => {
  assert.equal(renderRuleset('iptables', twoServices(), { clusterCIDR: CIDR }), IPT_FULL);
  const r = renderIptables(allServicePorts(twoServices()), { clusterCIDR: CIDR });
  assert.equal(r.rules, 21);
  assert.doesNotMatch(r.text, /^-I /m, 'jumps only on request');
});

test('iptables: partial restore rewrites only changed Services\' chains, deletes stale ones', () => {
  const s1 = twoServices();
  const s2 = state(svc('default', 'web', '10.96.1.1', ['10.244.64.1', '10.244.64.2']), s1.services[1]!, svc('default', 'api', '10.96.1.2', ['10.244.64.9']));
  const full = renderIptables(allServicePorts(s1), { clusterCIDR: CIDR });
  const changed = new Set(['default/web', 'default/api']);
  const p = renderIptables(allServicePorts(s2), { clusterCIDR: CIDR, changed, staleChains: (inUse) => full.chains.get('default/web')!.filter((c) => !inUse.get('default/web')!.includes(c)) });
  assert.equal(p.text, IPT_PARTIAL);
  // unchanged Services keep their chains out of the input but are still counted
  const onlyApi = renderIptables(allServicePorts(s2), { clusterCIDR: CIDR, changed: new Set(['default/api']) });
  assert.doesNotMatch(onlyApi.text, /^:KUBE-SVC-CDGGSHYLG3RE2FKL/m);
  assert.match(onlyApi.text, /-j KUBE-SVC-CDGGSHYLG3RE2FKL$/m);
  assert.equal(onlyApi.rules, p.rules);
});

test('iptables: above 1000 endpoints the per-endpoint comments are dropped', () => {
  const many = Array.from({ length: 1001 }, (_, i) => `10.244.${64 + (i >> 8)}.${i & 255}`);
  const r = renderIptables(allServicePorts(state(svc('default', 'big', '10.96.1.9', many))));
  assert.doesNotMatch(r.text, /-> 10\.244/);
  assert.match(r.text, /^-A KUBE-SEP-[A-Z2-7]{16} -s 10\.244\.64\.0 -j KUBE-MARK-MASQ$/m);
});

test('nftables: full transaction, exactly', () => {
  const text = renderRuleset('nftables', twoServices(), { clusterCIDR: CIDR });
  assert.ok(text.endsWith(NFT_SERVICES), text);
  for (const line of [
    'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
    'add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }',
    'add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips',
    'add rule ip kube-proxy nat-prerouting jump services',
    'add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }',
    'add rule ip kube-proxy filter-output-pre-dnat ct state new jump firewall-check',
    'add rule ip kube-proxy masquerading mark and 0x4000 != 0 mark set mark xor 0x4000 masquerade fully-random',
    'add rule ip kube-proxy services ip daddr @cluster-ips ip saddr != 10.244.0.0/16 mark set mark or 0x4000 comment "masquerade clusterIP traffic from outside cluster"',
    'add rule ip kube-proxy services fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports',
    'delete set ip kube-proxy nodeport-ips',
    'flush map ip kube-proxy service-ips',
  ]) assert.ok(text.split('\n').includes(line), line);
  assert.doesNotMatch(text, / endpoint-[A-Z2-7]{8}-|mark-for-masquerade/, 'endpoints are inlined; no per-endpoint chains without session affinity');
  assert.equal(renderNftables(allServicePorts(twoServices())).rules, 2);
});

test('nftables: NodePorts only on the node IPs when they are given (kube-proxy 1.36: --nodeport-addresses primary)', () => {
  const text = renderNftables(allServicePorts(twoServices()), { nodeIPs: ['10.244.0.1'] }).text.split('\n');
  for (const line of [
    'flush set ip kube-proxy nodeport-ips',
    'add element ip kube-proxy nodeport-ips { 10.244.0.1 }',
    'add rule ip kube-proxy nodeport-endpoints-check ip daddr @nodeport-ips meta l4proto . th dport vmap @no-endpoint-nodeports',
    'add rule ip kube-proxy services ip daddr @nodeport-ips meta l4proto . th dport vmap @service-nodeports',
  ]) assert.ok(text.includes(line), line);
  assert.ok(!text.includes('delete set ip kube-proxy nodeport-ips'));
  assert.ok(!text.some((l) => l.includes('masquerade clusterIP traffic')), 'no pod CIDR, no masquerade rule');
});

test('nftables: a full sync over known elements rewrites the chains but writes only the elements that differ', () => {
  const s1 = twoServices();
  const first = renderNftables(allServicePorts(s1), { clusterCIDR: CIDR });
  const again = renderNftables(allServicePorts(s1), { clusterCIDR: CIDR, known: first.elements }).text.split('\n');
  assert.ok(!again.some((l) => / element /.test(l)), 'same Services: no element written');
  assert.ok(!again.some((l) => /^flush (map|set) ip kube-proxy (cluster-ips|service-ips|no-endpoint-services)$/.test(l)), 'known containers are not flushed');
  assert.ok(again.includes('flush chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http'));
  // web loses its endpoints: its element moves to no-endpoint-services and its chain is stale
  const s2 = state(svc('default', 'web', '10.96.1.1', []), s1.services[1]!);
  const gone = renderNftables(allServicePorts(s2), { clusterCIDR: CIDR, known: first.elements, staleChains: (inUse) => first.chains.get('default/web')!.filter((c) => !inUse.get('default/web')!.includes(c)) });
  assert.ok(gone.text.endsWith([
    'add element ip kube-proxy no-endpoint-services { 10.96.1.1 . tcp . 80 comment "default/web:http" : goto reject-chain }',
    'delete element ip kube-proxy service-ips { 10.96.1.1 . tcp . 80 }',
    'flush chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http',
    'delete chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http',
    '',
  ].join('\n')), gone.text);
});

test('nftables: partial transaction adds and deletes only what changed', () => {
  const s1 = twoServices();
  const s2 = state(svc('default', 'web', '10.96.1.1', ['10.244.64.1', '10.244.64.2']), s1.services[1]!, svc('default', 'api', '10.96.1.2', ['10.244.64.9']));
  const full = renderNftables(allServicePorts(s1), { clusterCIDR: CIDR });
  const p = renderNftables(allServicePorts(s2), {
    clusterCIDR: CIDR,
    partial: { changed: new Set(['default/web', 'default/api']), previous: full.elements },
    staleChains: (inUse) => full.chains.get('default/web')!.filter((c) => !inUse.get('default/web')!.includes(c)),
  });
  assert.equal(p.text, NFT_PARTIAL);
  assert.equal(p.rules, 3);
  // removing a Service deletes its elements
  const gone = renderNftables(allServicePorts(state(s1.services[0]!)), { partial: { changed: new Set(), previous: full.elements } });
  assert.equal(gone.text, 'delete element ip kube-proxy cluster-ips { 10.96.0.10 }\ndelete element ip kube-proxy no-endpoint-services { 10.96.0.10 . udp . 53 }\n');
});

test('ipvs: ipset, ipvsadm-restore and kube-ipvs0 addresses', () => {
  const r = renderIpvs(allServicePorts(twoServices()), { clusterCIDR: CIDR });
  assert.equal(r.rules, 2);
  assert.deepEqual(r.addresses, ['10.96.1.1/32', '10.96.0.10/32']);
  assert.equal(r.ipvsadm, ['-C', '-A -t 10.96.1.1:80 -s rr', '-a -t 10.96.1.1:80 -r 10.244.64.1:8080 -m -w 1', '-a -t 10.96.1.1:80 -r 10.244.64.2:8080 -m -w 1', '-a -t 10.96.1.1:80 -r 10.244.64.3:8080 -m -w 1', '-A -u 10.96.0.10:53 -s rr', ''].join('\n'));
  assert.ok(r.ipset.includes('add KUBE-CLUSTER-IP 10.96.1.1,tcp:80\n'));
  assert.ok(r.ipset.includes('add KUBE-IPVS-IPS 10.96.1.1\n'));
  assert.match(r.iptables, /^-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT$/m);
  assert.match(r.iptables, /-A KUBE-SERVICES ! -s 10\.244\.0\.0\/16 -m comment --comment "Kubernetes service cluster ip \+ port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst -j KUBE-MARK-MASQ/);
});

const IPT_FULL = [
  "*mangle",
  ":KUBE-PROXY-CANARY - [0:0]",
  "COMMIT",
  "*filter",
  ":KUBE-SERVICES - [0:0]",
  ":KUBE-EXTERNAL-SERVICES - [0:0]",
  ":KUBE-FORWARD - [0:0]",
  ":KUBE-NODEPORTS - [0:0]",
  ":KUBE-PROXY-FIREWALL - [0:0]",
  ":KUBE-FIREWALL - [0:0]",
  ":KUBE-PROXY-CANARY - [0:0]",
  "-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP",
  "-A KUBE-SERVICES -m comment --comment \"kube-system/kube-dns:dns has no endpoints\" -m udp -p udp -d 10.96.0.10 --dport 53 -j REJECT",
  "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
  "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
  "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "-I INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
  "-I FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
  "-I INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS",
  "-I FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-I OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-I FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD",
  "-I INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
  "-I OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
  "-I FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
  "-I INPUT -j KUBE-FIREWALL",
  "-I OUTPUT -j KUBE-FIREWALL",
  "COMMIT",
  "*nat",
  ":KUBE-SERVICES - [0:0]",
  ":KUBE-NODEPORTS - [0:0]",
  ":KUBE-POSTROUTING - [0:0]",
  ":KUBE-MARK-MASQ - [0:0]",
  ":KUBE-PROXY-CANARY - [0:0]",
  ":KUBE-SVC-CDGGSHYLG3RE2FKL - [0:0]",
  ":KUBE-SEP-ZXXQ7JR76QYFROGO - [0:0]",
  ":KUBE-SEP-EZL6V7VPAJVCIONL - [0:0]",
  ":KUBE-SEP-VGESI6UK45VGWGD2 - [0:0]",
  "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
  "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
  "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
  "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
  "-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.1.1 --dport 80 -j KUBE-SVC-CDGGSHYLG3RE2FKL",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.1.1 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http -> 10.244.64.1:8080\" -m statistic --mode random --probability 0.3333333333 -j KUBE-SEP-ZXXQ7JR76QYFROGO",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http -> 10.244.64.2:8080\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-EZL6V7VPAJVCIONL",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http -> 10.244.64.3:8080\" -j KUBE-SEP-VGESI6UK45VGWGD2",
  "-A KUBE-SEP-ZXXQ7JR76QYFROGO -m comment --comment default/web:http -s 10.244.64.1 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-ZXXQ7JR76QYFROGO -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.1:8080",
  "-A KUBE-SEP-EZL6V7VPAJVCIONL -m comment --comment default/web:http -s 10.244.64.2 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-EZL6V7VPAJVCIONL -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.2:8080",
  "-A KUBE-SEP-VGESI6UK45VGWGD2 -m comment --comment default/web:http -s 10.244.64.3 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-VGESI6UK45VGWGD2 -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.3:8080",
  "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
  "-I OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-I PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
  "-I POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING",
  "COMMIT",
  "",
].join('\n');

const IPT_PARTIAL = [
  "*filter",
  ":KUBE-SERVICES - [0:0]",
  ":KUBE-EXTERNAL-SERVICES - [0:0]",
  ":KUBE-FORWARD - [0:0]",
  ":KUBE-NODEPORTS - [0:0]",
  ":KUBE-PROXY-FIREWALL - [0:0]",
  ":KUBE-FIREWALL - [0:0]",
  "-A KUBE-FIREWALL -m comment --comment \"block incoming localnet connections\" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP",
  "-A KUBE-SERVICES -m comment --comment \"kube-system/kube-dns:dns has no endpoints\" -m udp -p udp -d 10.96.0.10 --dport 53 -j REJECT",
  "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
  "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT",
  "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT",
  "COMMIT",
  "*nat",
  ":KUBE-SERVICES - [0:0]",
  ":KUBE-NODEPORTS - [0:0]",
  ":KUBE-POSTROUTING - [0:0]",
  ":KUBE-MARK-MASQ - [0:0]",
  ":KUBE-SVC-CDGGSHYLG3RE2FKL - [0:0]",
  ":KUBE-SEP-ZXXQ7JR76QYFROGO - [0:0]",
  ":KUBE-SEP-EZL6V7VPAJVCIONL - [0:0]",
  ":KUBE-SVC-KKDGWRPDK6Z5NCHS - [0:0]",
  ":KUBE-SEP-IEFQ44BQZ5JON7JL - [0:0]",
  ":KUBE-SEP-VGESI6UK45VGWGD2 - [0:0]",
  "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN",
  "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000",
  "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully",
  "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000",
  "-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.1.1 --dport 80 -j KUBE-SVC-CDGGSHYLG3RE2FKL",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.1.1 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http -> 10.244.64.1:8080\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-ZXXQ7JR76QYFROGO",
  "-A KUBE-SVC-CDGGSHYLG3RE2FKL -m comment --comment \"default/web:http -> 10.244.64.2:8080\" -j KUBE-SEP-EZL6V7VPAJVCIONL",
  "-A KUBE-SEP-ZXXQ7JR76QYFROGO -m comment --comment default/web:http -s 10.244.64.1 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-ZXXQ7JR76QYFROGO -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.1:8080",
  "-A KUBE-SEP-EZL6V7VPAJVCIONL -m comment --comment default/web:http -s 10.244.64.2 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-EZL6V7VPAJVCIONL -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.2:8080",
  "-A KUBE-SERVICES -m comment --comment \"default/api:http cluster IP\" -m tcp -p tcp -d 10.96.1.2 --dport 80 -j KUBE-SVC-KKDGWRPDK6Z5NCHS",
  "-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment \"default/api:http cluster IP\" -m tcp -p tcp -d 10.96.1.2 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ",
  "-A KUBE-SVC-KKDGWRPDK6Z5NCHS -m comment --comment \"default/api:http -> 10.244.64.9:8080\" -j KUBE-SEP-IEFQ44BQZ5JON7JL",
  "-A KUBE-SEP-IEFQ44BQZ5JON7JL -m comment --comment default/api:http -s 10.244.64.9 -j KUBE-MARK-MASQ",
  "-A KUBE-SEP-IEFQ44BQZ5JON7JL -m comment --comment default/api:http -m tcp -p tcp -j DNAT --to-destination 10.244.64.9:8080",
  "-X KUBE-SEP-VGESI6UK45VGWGD2",
  "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS",
  "COMMIT",
  "",
].join('\n');

const NFT_SERVICES = [
  "add chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http",
  "flush chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http",
  "add element ip kube-proxy cluster-ips { 10.96.1.1 }",
  "add element ip kube-proxy service-ips { 10.96.1.1 . tcp . 80 : goto service-SUSTUHLJ-default/web/tcp/http }",
  "add rule ip kube-proxy service-SUSTUHLJ-default/web/tcp/http meta l4proto tcp dnat ip addr . port to numgen random mod 3 map { 0 : 10.244.64.1 . 8080 , 1 : 10.244.64.2 . 8080 , 2 : 10.244.64.3 . 8080 }",
  "add element ip kube-proxy cluster-ips { 10.96.0.10 }",
  "add element ip kube-proxy no-endpoint-services { 10.96.0.10 . udp . 53 comment \"kube-system/kube-dns:dns\" : goto reject-chain }",
  "",
].join('\n');

const NFT_PARTIAL = [
  "add chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http",
  "flush chain ip kube-proxy service-SUSTUHLJ-default/web/tcp/http",
  "add rule ip kube-proxy service-SUSTUHLJ-default/web/tcp/http meta l4proto tcp dnat ip addr . port to numgen random mod 2 map { 0 : 10.244.64.1 . 8080 , 1 : 10.244.64.2 . 8080 }",
  "add chain ip kube-proxy service-FKIP43JP-default/api/tcp/http",
  "flush chain ip kube-proxy service-FKIP43JP-default/api/tcp/http",
  "add element ip kube-proxy cluster-ips { 10.96.1.2 }",
  "add element ip kube-proxy service-ips { 10.96.1.2 . tcp . 80 : goto service-FKIP43JP-default/api/tcp/http }",
  "add rule ip kube-proxy service-FKIP43JP-default/api/tcp/http meta l4proto tcp dnat ip addr . port to numgen random mod 1 map { 0 : 10.244.64.9 . 8080 }",
  "",
].join('\n');
