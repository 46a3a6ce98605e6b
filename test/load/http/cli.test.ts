import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpAgentCommand } from '../../../src/cli/commands/agent-http.js';
import { parseAgentOutput } from '../../../src/metrics/agent-output.js';
import { UsageError } from '../../../src/core/errors.js';

/** Runs the command as the CLI would and returns what it printed. */
async function runCommand(args: string[]): Promise<string> {
  let printed = '';
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => { printed += String(chunk); return true; }) as typeof process.stdout.write;
  try {
    await httpAgentCommand().exitOverride().parseAsync(args, { from: 'user' });
  } finally {
    process.stdout.write = write;
  }
  return printed;
}

test('agent http --json prints one agent output line; --no-keep-alive opens a connection per request', async () => {
  let connections = 0;
  let requests = 0;
  const server = createServer((_req, res) => { requests++; res.end('ok'); });
  server.on('connection', () => { connections++; });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const dir = await mkdtemp(join(tmpdir(), 'disco-thttpcli-'));
  try {
    const file = join(dir, 'targets');
    await writeFile(file, `127.0.0.1:${(server.address() as AddressInfo).port}\n`);
    const out = parseAgentOutput(await runCommand(['--targets', file, '--duration', '400ms', '--connections', '2', '--no-keep-alive', '--json']));
    assert.equal(out.agent, 'http');
    assert.equal(out.info?.keepAlive, false);
    assert.ok((out.info?.responses as number) > 5);
    assert.ok(connections >= requests && requests >= (out.info?.responses as number));
    await assert.rejects(runCommand(['--targets', file, '--duration', 'soon']), (e: unknown) => e instanceof UsageError && /--duration/.test(e.message));
    await assert.rejects(runCommand(['--targets', join(dir, 'missing')]), (e: unknown) => e instanceof UsageError && /--targets/.test(e.message));
  } finally {
    server.closeAllConnections();
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
