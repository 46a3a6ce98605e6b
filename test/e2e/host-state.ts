import { execFileSync } from 'node:child_process';

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
  };
}

export function ourNetns(): string[] {
  return sh('ip', ['netns', 'list']).split('\n').filter((l) => l.startsWith('disco-') && /^disco-[0-9a-f]{8}-/.test(l));
}
