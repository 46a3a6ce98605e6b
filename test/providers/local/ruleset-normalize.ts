/**
 * Rulesets made comparable: counters and comments-only lines dropped, and where kube-proxy's
 * order is not stable (Go map iteration over Services), the lines of a chain sorted.
 */
const UNORDERED_CHAINS = /^(KUBE-SERVICES|KUBE-NODEPORTS|KUBE-EXTERNAL-SERVICES|KUBE-PROXY-FIREWALL|KUBE-FORWARD|KUBE-POSTROUTING|KUBE-MARK-MASQ)$/;

/**
 * kube-proxy counts the INVALID packets KUBE-FORWARD drops in an nfacct object it creates over
 * netlink (ct_state_invalid_dropped_pkts, for a metric), and adds the match only when that
 * worked. The model does not create it: that would need Debian's `nfacct` tool (a candidate, not
 * installed) as one more dependency, for a counter no metric of ours reads. Without a quota
 * the xt_nfacct match only updates the counter and always matches, so the rule drops the same
 * packets with it or without it; exactly that match is removed before comparing.
 */
const NFACCT_INVALID = / -m nfacct --nfacct-name +ct_state_invalid_dropped_pkts(?= )/;

export function normalizeIptables(save: string): string[] {
  const out: string[] = [];
  let table = '';
  const chains = new Map<string, string[]>();
  const flush = () => {
    for (const [chain, rules] of [...chains].sort(([a], [b]) => a.localeCompare(b))) {
      const lines = UNORDERED_CHAINS.test(chain) ? [...rules].sort() : rules;
      out.push(`${table} :${chain}`, ...lines.map((r) => `${table} ${r}`));
    }
    chains.clear();
  };
  for (const raw of save.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('*')) {
      flush();
      table = line.slice(1);
      continue;
    }
    if (line === 'COMMIT') continue;
    if (line.startsWith(':')) {
      const name = line.slice(1).split(' ')[0]!;
      if (name.startsWith('KUBE-')) chains.set(name, chains.get(name) ?? []);
      continue;
    }
    const m = /^-A (\S+) (.*)$/.exec(line);
    if (!m) continue;
    const [, chain, rest] = m;
    // built-in chains: only kube-proxy's jumps
    if (!chain!.startsWith('KUBE-') && !/-j KUBE-/.test(rest!)) continue;
    if (!chains.has(chain!)) chains.set(chain!, []);
    chains.get(chain!)!.push(`-A ${chain} ${rest!.replace(/\[\d+:\d+\]/g, '').replace(NFACCT_INVALID, '')}`);
  }
  flush();
  return out;
}

export function normalizeNft(list: string): string[] {
  const out: string[] = [];
  let block: string[] = [];
  let header = '';
  let inElements = false;
  let elements: string[] = [];
  const flush = () => {
    if (header) out.push(header, ...block);
    block = [];
  };
  for (const raw of list.split('\n')) {
    let line = raw.trim().replace(/counter packets \d+ bytes \d+/g, 'counter');
    if (!line) continue;
    if (inElements) {
      elements.push(...line.replace(/[{}]/g, '').split(',').map((e) => e.trim()).filter(Boolean));
      if (line.includes('}')) {
        block.push(`elements = { ${elements.sort().join(', ')} }`);
        inElements = false;
        elements = [];
      }
      continue;
    }
    if (line.startsWith('elements = {')) {
      line = line.slice('elements = '.length);
      elements = line.replace(/[{}]/g, '').split(',').map((e) => e.trim()).filter(Boolean);
      if (line.includes('}')) {
        block.push(`elements = { ${elements.sort().join(', ')} }`);
        elements = [];
      } else inElements = true;
      continue;
    }
    if (/^(chain|map|set) /.test(line)) {
      flush();
      header = line;
      continue;
    }
    if (line === '}' || line.startsWith('table ')) continue;
    block.push(line);
  }
  flush();
  // blocks in name order: kube-proxy and the model may create them in different orders
  const blocks: string[][] = [];
  for (const l of out) if (/^(chain|map|set) /.test(l)) blocks.push([l]); else blocks[blocks.length - 1]?.push(l);
  // kube-proxy flushes a Service's chain once it is stale (no endpoints left, or the Service gone)
  // and deletes it only at its next sync a second or more later (kernels before 6.2 need the
  // wait); the model deletes it in the same transaction. An empty chain nothing jumps to decides
  // no packet, so empty service chains (their names hold a '/') are left out on both sides.
  const live = blocks.filter((b) => !(b.length === 1 && /^chain \S*\/\S* \{$/.test(b[0]!)));
  return live.sort((a, b) => a[0]!.localeCompare(b[0]!)).flat();
}

/** Lines only in a (-) or only in b (+), in order; '' when equal. */
export function rulesetDiff(a: string[], b: string[]): string {
  const inB = new Map<string, number>();
  for (const l of b) inB.set(l, (inB.get(l) ?? 0) + 1);
  const inA = new Map<string, number>();
  for (const l of a) inA.set(l, (inA.get(l) ?? 0) + 1);
  const out: string[] = [];
  for (const l of a) if ((inB.get(l) ?? 0) < (inA.get(l) ?? 0)) { out.push(`- ${l}`); inA.set(l, inA.get(l)! - 1); }
  for (const l of b) if ((inA.get(l) ?? 0) < 1) out.push(`+ ${l}`); else inA.set(l, inA.get(l)! - 1);
  return out.join('\n');
}

/**
 * IPVS mode made comparable: virtual servers with their real servers sorted (kube-proxy walks
 * Go maps), the KUBE- ipsets with their members sorted and without the random `initval` the
 * kernel picks per set, the addresses on kube-ipvs0, and the iptables rules as above.
 */
export function normalizeIpvs(dump: { ipvsadm: string; ipset: string; addresses: string; iptables: string }): string[] {
  const servers = new Map<string, string[]>();
  for (const line of dump.ipvsadm.split('\n').map((l) => l.trim()).filter(Boolean)) {
    const vs = /^-[Aa] (-[tu] \S+)/.exec(line)?.[1];
    if (!vs) continue;
    if (!servers.has(vs)) servers.set(vs, []);
    servers.get(vs)!.push(`ipvs ${line}`);
  }
  const ipvs = [...servers.keys()].sort().flatMap((vs) => {
    const [head, ...reals] = servers.get(vs)!.sort((a, b) => (a.startsWith('ipvs -A') ? -1 : b.startsWith('ipvs -A') ? 1 : a.localeCompare(b)));
    return [head!, ...reals];
  });
  const sets = new Map<string, string[]>();
  for (const line of dump.ipset.split('\n').map((l) => l.trim())) {
    const m = /^(create|add) (KUBE-\S+) (.*)$/.exec(line);
    if (!m || m[2]!.startsWith('KUBE-6-')) continue;
    if (!sets.has(m[2]!)) sets.set(m[2]!, []);
    sets.get(m[2]!)!.push(`ipset ${m[1]} ${m[2]} ${m[3]!.replace(/ initval 0x[0-9a-f]+/, '')}`);
  }
  const ipset = [...sets.keys()].sort().flatMap((name) => sets.get(name)!.sort((a, b) => (a.includes(' create ') ? -1 : b.includes(' create ') ? 1 : a.localeCompare(b))));
  const addrs = [...dump.addresses.matchAll(/ inet (\S+)/g)].map((m) => `kube-ipvs0 ${m[1]}`).sort();
  return [...ipvs, ...ipset, ...addrs, ...normalizeIptables(dump.iptables)];
}
