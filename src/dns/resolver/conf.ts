import { hostname } from 'node:os';

/**
 * resolv.conf as the C libraries read it. Defaults and limits are glibc's (resolv.conf(5):
 * ndots 1 capped at 15, timeout 5 s capped at 30, attempts 2 capped at 5, at most 3
 * nameservers); musl reads the same keywords with its own caps, applied by the musl planner.
 */
export interface ResolvConf {
  nameservers: string[];
  /** search list; from the last `search` or `domain` line, else the host's domain */
  search: string[];
  ndots: number;
  /** seconds */
  timeout: number;
  attempts: number;
  rotate: boolean;
  singleRequest: boolean;
  singleRequestReopen: boolean;
  edns0: boolean;
  noTldQuery: boolean;
  trustAd: boolean;
  noAaaa: boolean;
}

export const MAXNS = 3;

export function defaultResolvConf(): ResolvConf {
  return {
    nameservers: [], search: [], ndots: 1, timeout: 5, attempts: 2, rotate: false,
    singleRequest: false, singleRequestReopen: false, edns0: false, noTldQuery: false, trustAd: false, noAaaa: false,
  };
}

/** glibc: a missing search/domain line means the domain part of the host name. */
function hostDomain(host: string): string[] {
  const i = host.indexOf('.');
  return i >= 0 && i < host.length - 1 ? [host.slice(i + 1)] : [];
}

function applyOption(conf: ResolvConf, opt: string): void {
  const num = (prefix: string, max: number): number | undefined => {
    if (!opt.startsWith(prefix)) return undefined;
    const n = Number.parseInt(opt.slice(prefix.length), 10);
    return Number.isFinite(n) && n >= 0 ? Math.min(n, max) : undefined;
  };
  const ndots = num('ndots:', 15);
  if (ndots !== undefined) conf.ndots = ndots;
  const timeout = num('timeout:', 30);
  if (timeout !== undefined) conf.timeout = Math.max(1, timeout);
  const attempts = num('attempts:', 5);
  if (attempts !== undefined) conf.attempts = Math.max(1, attempts);
  switch (opt) {
    case 'rotate': conf.rotate = true; break;
    case 'single-request': conf.singleRequest = true; break;
    case 'single-request-reopen': conf.singleRequestReopen = true; break;
    case 'edns0': conf.edns0 = true; break;
    case 'no-tld-query': conf.noTldQuery = true; break;
    case 'trust-ad': conf.trustAd = true; break;
    case 'no-aaaa': conf.noAaaa = true; break;
  }
}

export interface ParseOptions {
  /** host name whose domain is the default search list (default: os.hostname()) */
  hostname?: string;
  /** RES_OPTIONS environment value, applied after the file like glibc does */
  resOptions?: string;
}

export function parseResolvConf(text: string, opts: ParseOptions = {}): ResolvConf {
  const conf = defaultResolvConf();
  let search: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[;#].*$/, '').trim();
    if (!line) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) {
      if (conf.nameservers.length < MAXNS) conf.nameservers.push(rest[0]);
    } else if (key === 'search') {
      search = rest.filter((d) => d.length > 0);
    } else if (key === 'domain' && rest[0]) {
      search = [rest[0]];
    } else if (key === 'options') {
      for (const o of rest) applyOption(conf, o);
    }
  }
  for (const o of (opts.resOptions ?? '').split(/\s+/)) if (o) applyOption(conf, o);
  conf.search = search ?? hostDomain(opts.hostname ?? hostname());
  if (conf.nameservers.length === 0) conf.nameservers.push('127.0.0.1');
  return conf;
}

/** The text a pod would get; only non-default options are written, ndots always when asked (kubelet does). */
export function renderResolvConf(conf: ResolvConf, opts: { ndots?: boolean } = {}): string {
  const lines = conf.nameservers.map((ns) => `nameserver ${ns}`);
  if (conf.search.length > 0) lines.push(`search ${conf.search.join(' ')}`);
  const d = defaultResolvConf();
  const out: string[] = [];
  if (conf.ndots !== d.ndots || opts.ndots) out.push(`ndots:${conf.ndots}`);
  if (conf.timeout !== d.timeout) out.push(`timeout:${conf.timeout}`);
  if (conf.attempts !== d.attempts) out.push(`attempts:${conf.attempts}`);
  if (conf.rotate) out.push('rotate');
  if (conf.singleRequest) out.push('single-request');
  if (conf.singleRequestReopen) out.push('single-request-reopen');
  if (conf.edns0) out.push('edns0');
  if (conf.noTldQuery) out.push('no-tld-query');
  if (conf.trustAd) out.push('trust-ad');
  if (conf.noAaaa) out.push('no-aaaa');
  if (out.length > 0) lines.push(`options ${out.join(' ')}`);
  return lines.join('\n') + '\n';
}
