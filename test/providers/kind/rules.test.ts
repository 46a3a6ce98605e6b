import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KIND_NODE_TOOLS, countIpvsVirtualServers, countRulesInNode } from '../../../src/providers/kind/rules.js';
import { RecordingRunner } from '../kube/fakes.js';

// /proc/net/ip_vs as the kernel prints it (ip_vs_ctl.c): two ClusterIP:port virtual servers,
// one of them with two real servers, one firewall-mark service
const PROC_IP_VS = `IP Virtual Server version 1.2.1 (size=4096)
Prot LocalAddress:Port Scheduler Flags
  -> RemoteAddress:Port Forward Weight ActiveConn InActConn
TCP  0A600001:01BB rr
  -> AC120002:192B      Masq    1      0          0
UDP  0A60000A:0035 rr
  -> 0AF40002:0035      Masq    1      0          0
  -> 0AF40003:0035      Masq    1      0          0
FWM  00000001 rr
`;

test('IPVS virtual servers are counted from /proc/net/ip_vs', () => {
  assert.equal(countIpvsVirtualServers(PROC_IP_VS), 3);
  assert.equal(countIpvsVirtualServers('IP Virtual Server version 1.2.1 (size=4096)\nProt LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n'), 0);
  assert.equal(countIpvsVirtualServers('cat: /proc/net/ip_vs: No such file or directory'), undefined);
});

test('proxy.rules on kind reads the node with tools its image has (no ipvsadm there)', async () => {
  for (const proxy of ['iptables', 'ipvs', 'nftables'] as const) {
    const runner = new RecordingRunner((_f, args) => ({ stdout: args.includes('/proc/net/ip_vs') ? PROC_IP_VS : '' }));
    const n = await countRulesInNode(runner, 'disco-a-control-plane', proxy, 'kind-disco-a');
    const exec = runner.calls.filter((c) => c.file === 'docker');
    assert.ok(exec.length > 0);
    for (const c of exec) {
      assert.equal(c.args[0], 'exec');
      assert.ok((KIND_NODE_TOOLS as readonly string[]).includes(c.args[2]!), `${proxy}: ${c.args[2]} is not in the kind node image`);
    }
    if (proxy === 'ipvs') assert.equal(n, 3);
  }
});
