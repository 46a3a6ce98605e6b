import { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { serveUnixToTcp } from '../../providers/local/real/bridge.js';

/** Hidden: run inside a namespace, forwards a Unix socket to HOST:PORT there (the local API bridge). */
export function bridgeCommand(): Command {
  return new Command('bridge')
    .description('forward a Unix socket to a TCP address of this network namespace')
    .requiredOption('--unix <path>', 'socket to listen on')
    .requiredOption('--to <host:port>', 'TCP address to connect to')
    .action(async (o: { unix: string; to: string }) => {
      const m = /^([0-9.]+):(\d+)$/.exec(o.to);
      if (!m) throw new UsageError(`--to ${o.to}: not HOST:PORT`, 'e.g. --to 127.0.0.1:6443');
      await serveUnixToTcp(o.unix, m[1]!, Number(m[2]));
      process.stdout.write('ready\n');
      await new Promise(() => undefined);
    });
}
