import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { run } from '../../../src/core/exec.js';

/** A throw-away namespace for DNS client tests, with its own /etc/netns files (resolv.conf, nsswitch.conf, hosts). */
export async function makeNetns(name: string, addrs: { v4: string; v6?: string }): Promise<void> {
  await run('ip', ['netns', 'add', name]);
  await run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
  await run('ip', ['-n', name, 'addr', 'add', `${addrs.v4}/32`, 'dev', 'lo']);
  // a global IPv6 address, so getaddrinfo's AI_ADDRCONFIG asks for AAAA like in a dual-stack-capable pod
  if (addrs.v6) await run('ip', ['-n', name, '-6', 'addr', 'add', `${addrs.v6}/128`, 'dev', 'lo', 'nodad']);
  mkdirSync(`/etc/netns/${name}`, { recursive: true });
  writeFileSync(`/etc/netns/${name}/nsswitch.conf`, 'hosts: files dns\n');
  writeFileSync(`/etc/netns/${name}/hosts`, '127.0.0.1 localhost\n');
  writeFileSync(`/etc/netns/${name}/resolv.conf`, `nameserver ${addrs.v4}\n`);
}

export async function deleteNetns(name: string): Promise<void> {
  await run('ip', ['netns', 'delete', name], { reject: false });
  rmSync(`/etc/netns/${name}`, { recursive: true, force: true });
}
