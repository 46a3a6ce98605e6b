import { mkdirSync, writeFileSync } from 'node:fs';
import { renderPodResolvConf, type PodDnsConfig } from '../../dns/pod-dns.js';

/**
 * The client namespaces' resolv.conf, where kubelet would write a pod's: `ip netns exec`
 * bind-mounts /etc/netns/<ns>/resolv.conf over /etc/resolv.conf for the agent it starts. Each
 * agent run writes its request's configuration (or the ClusterFirst default); agents that share
 * a namespace at one time must ask for the same one, since there is one file per namespace.
 */
export class ClientResolvConfs {
  private readonly inUse = new Map<string, { text: string; agents: number }>();

  constructor(private readonly clusterFirst: PodDnsConfig) {}

  /** Writes the namespace's resolv.conf; call the returned release() when the agent has ended. */
  use(netns: string, dns: PodDnsConfig | undefined): () => void {
    const text = renderPodResolvConf(dns ?? this.clusterFirst);
    const cur = this.inUse.get(netns);
    if (cur && cur.agents > 0 && cur.text !== text) {
      throw new Error(`client namespace ${netns}: an agent running there has another DNS configuration (${JSON.stringify(cur.text)}); agents on one client at one time share it`);
    }
    let entry = cur;
    if (!entry || entry.text !== text) {
      mkdirSync(`/etc/netns/${netns}`, { recursive: true });
      writeFileSync(`/etc/netns/${netns}/resolv.conf`, text);
      entry = { text, agents: 0 };
      this.inUse.set(netns, entry);
    }
    entry.agents++;
    let released = false;
    const held = entry;
    return () => {
      if (!released) held.agents--;
      released = true;
    };
  }
}
