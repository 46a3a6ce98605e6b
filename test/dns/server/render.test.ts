import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as packet from 'dns-packet';
import { parse } from 'yaml';
import { UsageError } from '../../../src/core/errors.js';
import { parseListen } from '../../../src/cli/commands/serve-upstream.js';
import { renderCorefile, renderNodeLocalCorefile } from '../../../src/dns/server/coredns.js';
import { nodeLocalNotrackRules, renderNodeLocalUnbound, unboundAddr } from '../../../src/dns/server/unbound.js';
import { parseUnboundReplyLog, parseUnboundStats } from '../../../src/dns/server/unbound-process.js';
import { upstreamAddress, upstreamAnswer } from '../../../src/dns/server/upstream.js';
import { ScenarioSpec } from '../../../src/scenario/schema.js';

const ask = (name: string, type: packet.RecordType = 'A') => upstreamAnswer({ id: 7, type: 'query', flags: packet.RECURSION_DESIRED, questions: [{ name, type, class: 'IN' }] }, 'example.com');
const rcode = (p: packet.Packet) => (p.flags ?? 0) & 0xf;

describe('upstream stand-in answers', () => {
  it('answers api-<x> with a documentation address, NODATA for AAAA, NXDOMAIN in the zone, REFUSED outside', () => {
    const a = ask('API-5.example.com.');
    assert.equal(rcode(a), 0);
    assert.equal(a.id, 7);
    assert.deepEqual(a.answers?.map((r) => (r as { data: string }).data), ['203.0.113.6']);
    const aaaa = ask('api-5.example.com', 'AAAA');
    assert.equal(rcode(aaaa), 0);
    assert.deepEqual(aaaa.answers, []);
    assert.equal(aaaa.authorities?.[0]?.type, 'SOA');
    assert.equal(rcode(ask('www.example.com')), 3);
    assert.equal(rcode(ask('api-5.example.com.cluster.local')), 5);
    assert.equal(rcode(ask('example.org')), 5);
    assert.equal(rcode(ask('example.com', 'SOA')), 0);
  });

  it('spreads api-<x> over 762 distinct documentation addresses', () => {
    assert.equal(upstreamAddress(0), '203.0.113.1');
    assert.equal(upstreamAddress(253), '203.0.113.254');
    assert.equal(upstreamAddress(254), '198.51.100.1');
    assert.equal(upstreamAddress(761), '192.0.2.254');
    assert.equal(new Set(Array.from({ length: 762 }, (_, i) => upstreamAddress(i))).size, 762);
  });

  it('parses --listen and names the flag when it is wrong', () => {
    assert.deepEqual(parseListen('10.1.2.3:5353'), { host: '10.1.2.3', port: 5353 });
    assert.throws(() => parseListen('10.1.2.3'), (e: unknown) => e instanceof UsageError && /--listen/.test(e.message));
  });
});

describe('server configuration renderers', () => {
  it('parses unbound-control stats and the log-replies query log', () => {
    const st = parseUnboundStats('thread0.num.queries=3\ntotal.num.queries=12\ntotal.num.cachehits=10\ntotal.num.cachemiss=2\nnum.query.tcp=1\n');
    assert.deepEqual([st.queries, st.cacheHits, st.cacheMisses, st.raw['num.query.tcp']], [12, 10, 2, 1]);
    assert.throws(() => parseUnboundStats('total.num.queries=1\n'), /total\.num\.cachehits/);
    const log = [
      '[1795970093] unbound[31205:0] info: start of service (unbound 1.17.1).',
      '[1795970093] unbound[31205:0] info: 10.96.0.10 svc-1.bench-0.svc.cluster.local. A IN NOERROR 0.000000 0 76',
      '[1795970093] unbound[31205:0] info: 10.244.0.7 nope.cluster.local. AAAA IN NXDOMAIN 0.000000 0 101',
    ].join('\n');
    assert.deepEqual(parseUnboundReplyLog(log), [
      { client: '10.96.0.10', name: 'svc-1.bench-0.svc.cluster.local.', type: 'A', rcode: 'NOERROR' },
      { client: '10.244.0.7', name: 'nope.cluster.local.', type: 'AAAA', rcode: 'NXDOMAIN' },
    ]);
  });

  it('normalises addresses for unbound', () => {
    assert.equal(unboundAddr('10.96.0.10'), '10.96.0.10@53');
    assert.equal(unboundAddr('10.96.0.10:5353'), '10.96.0.10@5353');
    assert.throws(() => unboundAddr('kube-dns'));
  });

  it('renders the NodeLocal cache with node-cache TTLs and a TCP forward for the cluster zone', () => {
    const conf = renderNodeLocalUnbound({ listen: ['169.254.20.10', '10.96.0.10'], clusterDns: '10.96.0.10:53', upstream: '192.0.2.53', controlSocket: '/s', pidFile: '/p' });
    assert.match(conf, /cache-max-ttl: 30\n {2}cache-max-negative-ttl: 5\n/);
    assert.match(conf, /forward-zone:\n {2}name: "cluster\.local\."\n {2}forward-addr: 10\.96\.0\.10@53\n {2}forward-tcp-upstream: yes/);
    assert.match(conf, /forward-zone:\n {2}name: "\."\n {2}forward-addr: 192\.0\.2\.53@53\n {2}forward-tcp-upstream: no/);
    assert.match(conf, /interface: 169\.254\.20\.10@53\n {2}interface: 10\.96\.0\.10@53/);
  });

  it('renders node-cache NOTRACK rules as iptables-restore input', () => {
    const rules = nodeLocalNotrackRules(['169.254.20.10']).split('\n');
    assert.deepEqual(rules.slice(0, 1), ['*raw']);
    assert.ok(rules.includes('-I PREROUTING -p udp -d 169.254.20.10 --dport 53 -j NOTRACK'));
    assert.ok(rules.includes('-I OUTPUT -p udp -s 169.254.20.10 --sport 53 -j NOTRACK'));
    assert.ok(rules.includes('-I OUTPUT -p tcp -d 169.254.20.10 --dport 8080 -j NOTRACK'));
    assert.ok(rules.includes('-I INPUT -p tcp -d 169.254.20.10 --dport 53 -j ACCEPT'));
    assert.equal(rules.filter((l) => l.endsWith('NOTRACK')).length, 8);
    assert.equal(rules.filter((l) => l.endsWith('ACCEPT')).length, 4);
  });

  it('renders a Corefile serving the zone files, with cache 30 and the forward', () => {
    assert.equal(
      renderCorefile({ listen: ['10.244.0.2'], upstream: '192.0.2.53', zoneDir: '/z', clusterDomain: 'cluster.local' }),
      [
        '.:53 {',
        '    bind 10.244.0.2',
        '    errors',
        '    file /z/db.cluster cluster.local {',
        '        reload 2s',
        '    }',
        '    file /z/db.reverse in-addr.arpa {',
        '        reload 2s',
        '    }',
        '    forward . 192.0.2.53:53',
        '    cache 30',
        '    loadbalance',
        '    prometheus :9153',
        '}',
        '',
      ].join('\n'),
    );
  });

  it("renders node-cache's Corefile with force_tcp to the cluster DNS", () => {
    const text = renderNodeLocalCorefile({ listen: ['169.254.20.10', '10.96.0.10'], clusterDns: '10.96.0.10', upstream: '192.0.2.53', clusterDomain: 'cluster.local' });
    assert.match(text, /^cluster\.local:53 \{\n {4}errors\n {4}cache \{\n {8}success 9984 30\n {8}denial 9984 5\n {4}\}/);
    assert.match(text, /forward \. 10\.96\.0\.10:53 \{\n {8}force_tcp\n {4}\}/);
    assert.match(text, /\.:53 \{[^}]*forward \. 192\.0\.2\.53:53\n/);
    assert.equal(text.match(/bind 169\.254\.20\.10 10\.96\.0\.10/g)?.length, 4);
  });
});

describe('scenario nodelocal-ndots', () => {
  it('validates against the schema and expands to ndots x nodeLocalDNS', async () => {
    const file = fileURLToPath(new URL('../../../../scenarios/nodelocal-ndots.yaml', import.meta.url));
    const spec = ScenarioSpec.parse(parse(await readFile(file, 'utf8')));
    assert.equal(spec.name, 'nodelocal-ndots');
    assert.equal(spec.provider, 'local');
    assert.equal(spec.services.count, 500);
    assert.deepEqual(spec.matrix, { 'workloads.dns.ndots': [5, 1], 'cluster.nodeLocalDNS': [false, true] });
    const dns = spec.workloads.dns!;
    assert.equal(dns.qps, 0, 'closed loop');
    assert.ok(dns.duration >= 5000 && dns.duration <= 8000);
  });
});
