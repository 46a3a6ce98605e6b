import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseResolvConf } from '../../dns/resolver/conf.js';
import { resolveOnce } from '../../dns/resolver/resolve-once.js';
import type { Family } from '../../dns/resolver/prepare.js';
import { rcodeName } from '../../dns/resolver/wire.js';
import { parseServer } from '../../load/flags.js';

/** The ndots explainer: every query a glibc or musl application would send for NAME, for real. */
export function resolvCommand(): Command {
  return new Command('resolv')
    .description('resolve NAME exactly as glibc (or musl) would, printing each query sent, its answer code, then the result')
    .argument('<name>', 'host name as an application would pass it to getaddrinfo')
    .option('--conf <file>', 'resolv.conf to use', '/etc/resolv.conf')
    .option('--resolver <kind>', 'glibc or musl', 'glibc')
    .option('--family <family>', 'unspec (A+AAAA), inet (A) or inet6 (AAAA)', 'unspec')
    .option('--server <ip:port>', "send to this server instead of the conf's nameservers")
    .option('--json', 'print the result as JSON')
    .action(async (name: string, o: { conf: string; resolver: string; family: string; server?: string; json?: boolean }) => {
      if (o.resolver !== 'glibc' && o.resolver !== 'musl') throw new UsageError(`--resolver must be glibc or musl (got ${o.resolver})`, 'use --resolver glibc or --resolver musl');
      if (!['unspec', 'inet', 'inet6'].includes(o.family)) throw new UsageError(`--family must be unspec, inet or inet6 (got ${o.family})`);
      let text: string;
      try {
        text = await readFile(o.conf, 'utf8');
      } catch (err) {
        throw new UsageError(`--conf: cannot read ${o.conf}: ${(err as Error).message}`);
      }
      const conf = parseResolvConf(text, { resOptions: process.env.RES_OPTIONS });
      const servers = o.server ? [parseServer(o.server)] : undefined;
      const res = await resolveOnce(name, conf, o.resolver, { servers, family: o.family as Family });
      if (o.json) {
        process.stdout.write(JSON.stringify(res) + '\n');
        return;
      }
      const out: string[] = [];
      out.push(`${o.resolver}: ndots ${conf.ndots}, search [${conf.search.join(' ')}], timeout ${conf.timeout}s, attempts ${conf.attempts}${conf.singleRequest ? ', single-request' : ''}${conf.singleRequestReopen ? ', single-request-reopen' : ''}`);
      const w = Math.max(4, ...res.queries.map((q) => q.name.length));
      res.queries.forEach((q, i) => {
        const answer = q.timedOut ? 'timeout' : q.socketError ? `${q.socketError} (ICMP error)` : q.rcode === undefined ? '-' : `${rcodeName(q.rcode)}${q.rcode === 0 ? ` (${q.answers} answers)` : ''}`;
        const rtt = q.rttMs === undefined ? '' : `  ${q.rttMs.toFixed(2)} ms`;
        out.push(`${String(i + 1).padStart(3)}  ${q.name.padEnd(w)}  ${q.type.padEnd(4)}  ${q.server}  ${answer}${rtt}`);
      });
      const summary = res.status === 'ok' ? res.addresses.join(' ') : `failed: ${res.status}`;
      out.push(`result: ${summary} (${res.queries.length} queries, ${res.durationMs.toFixed(1)} ms)`);
      process.stdout.write(out.join('\n') + '\n');
    });
}
