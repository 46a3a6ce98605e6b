import { execFileSync, spawn } from 'node:child_process';

const sh = (file: string, args: string[]) => {
  try {
    return execFileSync(file, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
};

/** The root namespace's routes, links, rules and resolver: must be identical before and after a run. */
export function hostSnapshot(): Record<string, string> {
  return {
    routes: sh('ip', ['route', 'show', 'table', 'all']),
    links: sh('ip', ['-o', 'link', 'show']).replace(/\s+link\/.*$/gm, '').split('\n').map((l) => l.replace(/^\d+: /, '')).sort().join('\n'),
    addrs: sh('ip', ['-o', 'addr', 'show']),
    iptables: sh('iptables-save', []).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, ''),
    iptablesLegacy: sh('iptables-legacy-save', []).replace(/^#.*$/gm, '').replace(/\[\d+:\d+\]/g, ''),
    nft: sh('nft', ['list', 'ruleset']),
    resolv: sh('cat', ['/etc/resolv.conf']),
    // host-global conntrack sizing, which kube-proxy raises unless told not to
    conntrack: sh('cat', ['/proc/sys/net/netfilter/nf_conntrack_max', '/sys/module/nf_conntrack/parameters/hashsize']),
  };
}

export function ourNetns(): string[] {
  return sh('ip', ['netns', 'list']).split('\n').filter((l) => l.startsWith('disco-') && /^disco-[0-9a-f]{8}-/.test(l));
}

/**
 * Captures on every interface of the root namespace for addresses a run uses; a run that stays
 * inside its namespaces produces zero packets here.
 */
export function rootCapture(): { stop(): Promise<string[]> } {
  const child = spawn('tcpdump', ['-i', 'any', '-n', '-p', '-l', '-q', 'net 10.244.0.0/16 or net 10.96.0.0/12 or host 169.254.20.10'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const ready = new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => { if (d.toString().includes('listening')) resolve(); });
    setTimeout(resolve, 2000);
  });
  const closed = new Promise((resolve) => child.on('close', resolve));
  let stopped = false;
  return {
    async stop() {
      if (!stopped) {
        stopped = true;
        await ready;
        child.kill('SIGINT');
      }
      await closed;
      return lines;
    },
  };
}
