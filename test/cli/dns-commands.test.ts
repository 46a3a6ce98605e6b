import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError } from '../../src/core/errors.js';
import { resolvCommand } from '../../src/cli/commands/resolv.js';
import { parseServer } from '../../src/load/flags.js';
import { dnsAgentCommand } from '../../src/cli/commands/agent-dns.js';

test('parseServer: IPv4, IPv4:port, IPv6, [IPv6]:port; bad input names the flag', () => {
  assert.deepEqual(parseServer('10.96.0.10'), { host: '10.96.0.10', port: 53 });
  assert.deepEqual(parseServer('10.96.0.10:5353'), { host: '10.96.0.10', port: 5353 });
  assert.deepEqual(parseServer('fd00::10'), { host: 'fd00::10', port: 53 });
  assert.deepEqual(parseServer('[fd00::10]:5353'), { host: 'fd00::10', port: 5353 });
  assert.throws(() => parseServer('10.0.0.1:99999'), (e: unknown) => e instanceof UsageError && /--server/.test(e.message));
});

test('commands reject bad flags with a UsageError naming the flag', async () => {
  await assert.rejects(resolvCommand().parseAsync(['--resolver', 'bionic', 'x'], { from: 'user' }), (e: unknown) => e instanceof UsageError && /--resolver/.test(e.message));
  await assert.rejects(resolvCommand().parseAsync(['--conf', '/nonexistent/resolv.conf', 'x'], { from: 'user' }), (e: unknown) => e instanceof UsageError && /--conf/.test(e.message));
  await assert.rejects(dnsAgentCommand().parseAsync(['--server', '127.0.0.1:53', '--names', '/nonexistent', '--json'], { from: 'user' }), (e: unknown) => e instanceof UsageError && /--names/.test(e.message));
  await assert.rejects(dnsAgentCommand().parseAsync(['--server', '127.0.0.1:53', '--names', '/etc/hostname', '--raw', '--resolv-conf', '/etc/hostname'], { from: 'user' }), (e: unknown) => e instanceof UsageError && /--raw/.test(e.message));
});
