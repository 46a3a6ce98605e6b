import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../../src/core/exec.js';
import { generateServices } from '../../../src/model/generate.js';
import type { ServerProcess } from '../../../src/dns/server/process.js';
import { nodeLocalNotrackRules, renderClusterUnbound, renderControlConf, renderNodeLocalUnbound } from '../../../src/dns/server/unbound.js';
import { startUnbound, writeClusterZones } from '../../../src/dns/server/unbound-process.js';
import { delNetns, dig, makeNetns } from './helpers.js';

const NODE = `disco-tdnssn${process.pid}`;
const CLIENT = `disco-tdnssc${process.pid}`;
const KUBE_DNS = '10.96.0.10';
const LOCAL = '169.254.20.10';
const DNS_POD = '10.244.0.2';

/**
 * iptables-mode NodeLocal DNSCache: the cache binds the kube-dns ClusterIP on the node, and only
 * node-cache's NOTRACK rules stop kube-proxy's DNAT from stealing the clients' packets for it.
 * Here the "kube-proxy" rule DNATs to a pod address that does not exist, so a query answered on
 * the ClusterIP proves the cache got it.
 */
describe('NodeLocal NOTRACK rules against a kube-proxy DNAT, client in its own namespace', () => {
  let dir = '';
  const procs: ServerProcess[] = [];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'disco-tdnssn-'));
    await makeNetns(NODE, [KUBE_DNS, LOCAL, DNS_POD]);
    await makeNetns(CLIENT, []);
    await run('ip', ['link', 'add', 'tdnss-n', 'netns', NODE, 'type', 'veth', 'peer', 'name', 'tdnss-c', 'netns', CLIENT]);
    await run('ip', ['-n', NODE, 'addr', 'add', '10.250.0.1/30', 'dev', 'tdnss-n']);
    await run('ip', ['-n', NODE, 'link', 'set', 'tdnss-n', 'up']);
    await run('ip', ['-n', CLIENT, 'addr', 'add', '10.250.0.2/30', 'dev', 'tdnss-c']);
    await run('ip', ['-n', CLIENT, 'link', 'set', 'tdnss-c', 'up']);
    await run('ip', ['-n', CLIENT, 'route', 'add', 'default', 'via', '10.250.0.1']);
    await run('iptables', ['-t', 'nat', '-A', 'PREROUTING', '-d', `${KUBE_DNS}/32`, '-p', 'udp', '--dport', '53', '-j', 'DNAT', '--to-destination', '10.244.99.99:53'], { netns: NODE });

    const state = generateServices({ count: 3, endpointsPerService: 1, headless: 0, externalName: 0, namespaces: 1 }, [DNS_POD]);
    await writeClusterZones(state, dir);
    const ctl = join(dir, 'c.conf');
    await writeFile(ctl, renderControlConf(join(dir, 'c.sock')));
    const conf = renderClusterUnbound(state, { listen: [DNS_POD], upstream: '127.0.0.1@5399', controlSocket: join(dir, 'c.sock'), pidFile: join(dir, 'c.pid'), zoneDir: dir });
    procs.push(await startUnbound({ conf, confPath: join(dir, 'cluster.conf'), controlConfPath: ctl, netns: NODE }));
    const nlCtl = join(dir, 'n.conf');
    await writeFile(nlCtl, renderControlConf(join(dir, 'n.sock')));
    const nl = renderNodeLocalUnbound({ listen: [LOCAL, KUBE_DNS], clusterDns: DNS_POD, upstream: '127.0.0.1@5399', controlSocket: join(dir, 'n.sock'), pidFile: join(dir, 'n.pid') });
    procs.push(await startUnbound({ conf: nl, confPath: join(dir, 'nodelocal.conf'), controlConfPath: nlCtl, netns: NODE }));
  });

  after(async () => {
    for (const p of procs.reverse()) await p.stop();
    await delNetns(CLIENT);
    await delNetns(NODE);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loses queries to the ClusterIP to the DNAT without the rules, and serves them from the cache with them', async () => {
    const name = 'svc-1.bench-0.svc.cluster.local';
    assert.deepEqual((await dig(CLIENT, LOCAL, [name, 'A'])).data, ['10.96.1.1'], 'the link-local address is not DNATed');
    const lost = await run('dig', ['+tries=1', '+time=1', `@${KUBE_DNS}`, name], { netns: CLIENT, reject: false });
    assert.notEqual(lost.exitCode, 0, 'without NOTRACK the DNAT takes the query');
    await run('iptables-restore', ['--noflush'], { netns: NODE, input: nodeLocalNotrackRules([LOCAL, KUBE_DNS]) });
    const served = await dig(CLIENT, KUBE_DNS, [name, 'A']);
    assert.equal(served.status, 'NOERROR');
    assert.deepEqual(served.data, ['10.96.1.1']);
    const conntrack = await run('iptables', ['-t', 'nat', '-L', 'PREROUTING', '-v', '-n', '-x'], { netns: NODE });
    const dnatPackets = Number(/^\s*(\d+)\s+\d+\s+DNAT/m.exec(conntrack.stdout)?.[1]);
    assert.equal(dnatPackets, 1, 'only the query sent before the rules went through the DNAT');
  });
});
