import { run } from '../../core/exec.js';
import { MeasurementError } from '../../core/errors.js';
import { cidrContains } from '../../model/addressing.js';
import type { EndpointControl, EndpointState } from '../provider.js';
import { blocksOf, type Topology } from './topology.js';

const TABLE = 'discobench_pods';

/**
 * Endpoints as pods that start and stop, in the local topology. Every endpoint address answers
 * in its backend namespace (AnyIP routes to one nginx), so "a pod's process is gone" is made with
 * one nftables table in that backend namespace: addresses in @stopped_reset answer every TCP packet with a
 * RST (a connect is refused, an open connection is reset: the kernel's answer once the process
 * has exited), addresses in @stopped_drop get nothing back (the pod's network is gone: timeouts).
 * Nothing outside the backend namespaces is touched.
 */
export class LocalEndpointControl implements EndpointControl {
  private readonly state = new Map<string, EndpointState>();
  private readonly ready = new Set<string>();

  constructor(private readonly topo: Topology) {}

  async set(ips: readonly string[], to: EndpointState): Promise<void> {
    const byNetns = new Map<string, string[]>();
    for (const ip of ips) {
      const from = this.state.get(ip) ?? 'serving';
      if (from === to) continue;
      const netns = this.owner(ip);
      const lines = byNetns.get(netns) ?? [];
      if (from !== 'serving') lines.push(`delete element inet ${TABLE} stopped_${from} { ${ip} }`);
      if (to !== 'serving') lines.push(`add element inet ${TABLE} stopped_${to} { ${ip} }`);
      byNetns.set(netns, lines);
      this.state.set(ip, to);
    }
    for (const [netns, lines] of byNetns) {
      await this.install(netns);
      await run('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: `${lines.join('\n')}\n` });
    }
  }

  /** Every address back to serving (the table is dropped; the namespaces go with the run anyway). */
  async reset(): Promise<void> {
    for (const netns of this.ready) await run('ip', ['netns', 'exec', netns, 'nft', 'delete', 'table', 'inet', TABLE]).catch(() => undefined);
    this.ready.clear();
    this.state.clear();
  }

  private owner(ip: string): string {
    for (const b of this.topo.backends) if (blocksOf(this.topo, b.index).some((block) => cidrContains(block, ip))) return b.netns;
    throw new MeasurementError(`endpoint ${ip} is not in any backend namespace's address blocks`, 'endpoints must come from the endpoint pool (10.244.64.0/18)');
  }

  private async install(netns: string): Promise<void> {
    if (this.ready.has(netns)) return;
    // priority -10: before anything else a backend namespace could hold
    const table = [
      `table inet ${TABLE} {`,
      '  set stopped_reset { type ipv4_addr; }',
      '  set stopped_drop { type ipv4_addr; }',
      '  chain input {',
      '    type filter hook input priority -10; policy accept;',
      '    ip daddr @stopped_drop drop',
      '    ip daddr @stopped_reset meta l4proto tcp reject with tcp reset',
      '    ip daddr @stopped_reset reject',
      '  }',
      '}',
    ].join('\n');
    await run('ip', ['netns', 'exec', netns, 'nft', '-f', '-'], { input: `${table}\n` });
    this.ready.add(netns);
  }
}
