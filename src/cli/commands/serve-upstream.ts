import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { parseDuration } from '../../core/duration.js';
import { startUpstreamServer } from '../../dns/server/upstream.js';

/** `IP:PORT` -> parts; the flag name goes into the error so the user knows what to fix. */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new UsageError(`--listen must be IPv4:PORT (got ${JSON.stringify(text)})`, 'e.g. --listen 10.255.0.2:53');
  return { host: m[1]!, port };
}

/**
 * `discobench serve-upstream`: the stand-in internet DNS, run by the local provider inside the
 * upstream namespace. Prints "ready" once both sockets are bound (the provider waits for it) and
 * the query count when stopped by SIGTERM/SIGINT.
 */
export function serveUpstreamCommand(): Command {
  return new Command('serve-upstream')
    .description("authoritative stand-in for the internet's DNS (api-<x>.<zone> A records), for the local provider's upstream namespace")
    .requiredOption('--listen <ip:port>', 'address to bind, UDP and TCP')
    .option('--zone <name>', 'zone to answer for; everything else is REFUSED', 'example.com')
    .option('--delay <duration>', 'added delay before each reply, e.g. 20ms', '0ms')
    .action(async (o: { listen: string; zone: string; delay: string }) => {
      const { host, port } = parseListen(o.listen);
      const delayMs = parseDuration(o.delay);
      if (delayMs === undefined) throw new UsageError(`--delay must be a duration like 20ms (got ${JSON.stringify(o.delay)})`);
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/i.test(o.zone)) throw new UsageError(`--zone must be a domain name (got ${JSON.stringify(o.zone)})`);
      const server = await startUpstreamServer({ host, port, zone: o.zone, delayMs });
      process.stdout.write('ready\n');
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve();
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      });
      await server.close();
      process.stdout.write(`queries ${server.queries()}\n`);
    });
}
