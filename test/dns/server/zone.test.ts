import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterState } from '../../../src/model/cluster.js';
import { clusterZoneRecords, renderRecord, reverseName } from '../../../src/dns/server/zone.js';
import { clusterZoneFiles } from '../../../src/dns/server/zonefile.js';
import { planDnsUpdate } from '../../../src/dns/server/update.js';

const state: ClusterState = {
  clusterDomain: 'cluster.local',
  services: [
    {
      namespace: 'default', name: 'web', type: 'ClusterIP', clusterIP: '10.96.1.5',
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
        { name: '', protocol: 'TCP', port: 81, targetPort: 81 },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 53 },
      ],
      endpoints: [{ ip: '10.244.0.9', ready: true }],
    },
    {
      namespace: 'db', name: 'pg', type: 'ClusterIP', clusterIP: 'None',
      ports: [{ name: 'sql', protocol: 'TCP', port: 5432, targetPort: 5432 }],
      endpoints: [
        { ip: '10.244.1.1', hostname: 'pg-0', ready: true },
        { ip: '10.244.1.2', ready: true },
        { ip: '10.244.1.3', hostname: 'pg-2', ready: false },
        { ip: '10.244.1.4', hostname: 'pg-3', ready: true },
      ],
    },
    { namespace: 'db', name: 'gone', type: 'ClusterIP', clusterIP: 'None', ports: [], endpoints: [{ ip: '10.244.2.1', ready: false }] },
    { namespace: 'ext', name: 'api', type: 'ExternalName', clusterIP: '', ports: [], endpoints: [], externalName: 'api-3.example.com' },
    { namespace: 'ext', name: 'pending', type: 'ClusterIP', clusterIP: '', ports: [], endpoints: [] },
  ],
};

describe('cluster zone records (Kubernetes DNS spec 1.1.0)', () => {
  it('renders exactly the records the specification defines', () => {
    assert.deepEqual(clusterZoneRecords(state).map(renderRecord), [
      'dns-version.cluster.local. 30 IN TXT "1.1.0"',
      'web.default.svc.cluster.local. 30 IN A 10.96.1.5',
      '_http._tcp.web.default.svc.cluster.local. 30 IN SRV 0 100 80 web.default.svc.cluster.local.',
      '_dns._udp.web.default.svc.cluster.local. 30 IN SRV 0 100 53 web.default.svc.cluster.local.',
      '5.1.96.10.in-addr.arpa. 30 IN PTR web.default.svc.cluster.local.',
      'pg.db.svc.cluster.local. 30 IN A 10.244.1.1',
      'pg.db.svc.cluster.local. 30 IN A 10.244.1.2',
      'pg.db.svc.cluster.local. 30 IN A 10.244.1.4',
      'pg-0.pg.db.svc.cluster.local. 30 IN A 10.244.1.1',
      '1.1.244.10.in-addr.arpa. 30 IN PTR pg-0.pg.db.svc.cluster.local.',
      '10-244-1-2.pg.db.svc.cluster.local. 30 IN A 10.244.1.2',
      'pg-3.pg.db.svc.cluster.local. 30 IN A 10.244.1.4',
      '4.1.244.10.in-addr.arpa. 30 IN PTR pg-3.pg.db.svc.cluster.local.',
      '_sql._tcp.pg.db.svc.cluster.local. 30 IN SRV 0 33 5432 pg-0.pg.db.svc.cluster.local.',
      '_sql._tcp.pg.db.svc.cluster.local. 30 IN SRV 0 33 5432 10-244-1-2.pg.db.svc.cluster.local.',
      '_sql._tcp.pg.db.svc.cluster.local. 30 IN SRV 0 33 5432 pg-3.pg.db.svc.cluster.local.',
      'api.ext.svc.cluster.local. 30 IN CNAME api-3.example.com.',
    ]);
  });

  it('reverses IPv4 addresses', () => {
    assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa.');
    assert.throws(() => reverseName('10.96.0'));
  });

  it('splits records into a cluster zone file and a reverse zone file, each with SOA and NS', () => {
    const { forward, reverse } = clusterZoneFiles(state);
    assert.equal(forward.origin, 'cluster.local.');
    assert.equal(reverse.origin, 'in-addr.arpa.');
    const fl = forward.text.split('\n');
    assert.deepEqual(fl.slice(0, 4), [
      '$ORIGIN cluster.local.',
      '$TTL 30',
      'cluster.local. 30 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1 7200 1800 86400 30',
      'cluster.local. 30 IN NS ns.dns.cluster.local.',
    ]);
    assert.ok(!forward.text.includes('in-addr.arpa. 30 IN PTR'));
    assert.equal(reverse.text.split('\n').filter((l) => l.includes(' PTR ')).length, 3);
    assert.ok(reverse.text.includes('in-addr.arpa. 30 IN SOA ns.dns.cluster.local. hostmaster.in-addr.arpa. 1 '));
  });
});

describe('planDnsUpdate', () => {
  const more: ClusterState = { ...state, services: [...state.services, { namespace: 'new', name: 'x', type: 'ClusterIP', clusterIP: '10.96.9.9', ports: [], endpoints: [] }] };
  it('adds only what is new, reloads on removals and changes', () => {
    assert.deepEqual(planDnsUpdate(state, structuredClone(state)), { kind: 'none' });
    assert.deepEqual(planDnsUpdate(state, more), { kind: 'add', services: [more.services.at(-1)] });
    assert.deepEqual(planDnsUpdate(more, state), { kind: 'reload' });
    const changed = structuredClone(state);
    changed.services[1]!.endpoints[2]!.ready = true;
    assert.deepEqual(planDnsUpdate(state, changed), { kind: 'reload' });
  });
});
