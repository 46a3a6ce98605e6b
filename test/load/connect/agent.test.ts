import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../../src/core/errors.js';
import { parseAgentOutput } from '../../../src/metrics/agent-output.js';
import { runConnectAgent } from '../../../src/load/connect/agent.js';
import { readAwaitOutput, readProbeOutput, readResolveOutput } from '../../../src/load/connect/contract.js';
import { parseTargets } from '../../../src/load/targets.js';
import { decode, distributionOf } from '../../../src/metrics/histogram.js';

function server(): Server {
  return createServer((s) => {
    s.on('error', () => {});
    s.destroy();
  });
}
const listen = (srv: Server, port = 0) =>
  new Promise<number>((resolve) => srv.listen({ host: '127.0.0.1', port, backlog: 4096 }, () => resolve((srv.address() as { port: number }).port)));
const close = (srv: Server) => new Promise((r) => srv.close(r));

/** A port nothing listens on: bound once, then released. */
async function closedPort(): Promise<number> {
  const s = server();
  const p = await listen(s);
  await close(s);
  return p;
}

describe('connect agent', () => {
  let srv: Server;
  let port: number;
  let dir: string;
  before(async () => {
    srv = server();
    port = await listen(srv);
    dir = mkdtempSync(join(tmpdir(), 'disco-tprobes-'));
  });
  after(async () => {
    await close(srv);
    rmSync(dir, { recursive: true, force: true });
  });

  it('records one latency per successful probe', async () => {
    const out = await runConnectAgent({ targets: [{ host: '127.0.0.1', port }], probes: 400, concurrency: 4, timeoutMs: 1000, await: false });
    const h = decode(out.metrics['tcp.connect.latency']!.hdr!);
    assert.equal(h.totalCount, 400);
    assert.deepEqual(out.metrics['tcp.connect.failed'], { value: 0, count: 400 });
    const d = distributionOf(h);
    assert.ok(d.min > 0 && d.p50 < 50, `loopback connect p50 ${d.p50} ms`);
  });

  it('counts refused connects as failures, round-robin over targets', async () => {
    const dead = await closedPort();
    const out = await runConnectAgent({ targets: [{ host: '127.0.0.1', port }, { host: '127.0.0.1', port: dead }], probes: 300, concurrency: 3, timeoutMs: 1000, await: false });
    assert.equal(decode(out.metrics['tcp.connect.latency']!.hdr!).totalCount, 150);
    assert.deepEqual(out.metrics['tcp.connect.failed'], { value: 150, count: 300 });
    assert.deepEqual(readProbeOutput(out).info.errors, { ECONNREFUSED: 150 });
  });

  it('resolve mode looks the name up before every connection and keeps every attempt: address, outcome, time', async () => {
    const dead = await closedPort();
    const out = readResolveOutput(await runConnectAgent({ targets: [], named: [{ name: 'localhost', port }, { name: 'localhost', port: dead }, { name: 'no-such-name.invalid', port }], durationMs: 600, intervalMs: 50, attemptTimeoutMs: 500, probes: 1, concurrency: 1, timeoutMs: 1, await: false }));
    const { info } = out;
    assert.deepEqual(info.addresses, ['127.0.0.1']);
    const outcomes = info.attempts.map((list) => [...new Set(list.map(([, ip, o]) => `${ip >= 0 ? info.addresses[ip] : '-'} ${info.outcomes[o]}`))]);
    assert.deepEqual(outcomes.slice(0, 2), [['127.0.0.1 ok'], ['127.0.0.1 ECONNREFUSED']]);
    assert.match(outcomes[2]!.join(), /^- dns:(ENOTFOUND|EAI_AGAIN)$/);
    for (const list of info.attempts) {
      // one attempt every 50 ms for 600 ms, open loop
      assert.ok(list.length >= 10 && list.length <= 13, `${list.length} attempts`);
      assert.ok(list.every(([t], k) => k === 0 || t >= list[k - 1]![0]), 'in the order they began');
    }
    assert.equal(out.metrics['tcp.connect.failed']!.count, info.attempts.flat().length);
    assert.equal(out.metrics['tcp.connect.failed']!.value, info.attempts[1]!.length + info.attempts[2]!.length);
  });

  it('await mode reports when a late server first answers', async () => {
    const latePort = await closedPort();
    const late = server();
    const dead = await closedPort();
    const t0 = performance.timeOrigin + performance.now();
    let listenStart = Infinity;
    setTimeout(() => {
      listenStart = performance.timeOrigin + performance.now();
      void listen(late, latePort);
    }, 300);
    try {
      const out = readAwaitOutput(await runConnectAgent({ targets: [{ host: '127.0.0.1', port: latePort }, { host: '127.0.0.1', port: dead }], probes: 1, concurrency: 1, timeoutMs: 1200, await: true }));
      const startedAt = out.info.startedAt;
      const first = out.info.firstSuccess[`127.0.0.1:${latePort}`];
      assert.ok(startedAt >= t0 && startedAt - t0 < 250, `probing began ${startedAt - t0} ms after the start`);
      assert.ok(first !== undefined, 'late server reached');
      // not before the server listened, and no later than one attempt gap (5 ms, more on a busy machine) after
      const gap = out.info.maxAttemptGapMs;
      assert.ok(first >= listenStart && first - listenStart < gap + 30, `first success ${(first - listenStart).toFixed(1)} ms after listen(); attempt gap ${gap} ms`);
      assert.deepEqual(out.info.unreached, [`127.0.0.1:${dead}`]);
      assert.deepEqual(out.metrics['tcp.connect.failed'], { value: 1, count: 2 });
      assert.ok(out.info.durationMs >= 1200, 'waits the whole timeout for the unreached target');
    } finally {
      await close(late);
    }
  });

  it('stops on abort and reports the probes done so far', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 200);
    const out = await runConnectAgent({ targets: [{ host: '127.0.0.1', port }], probes: 10_000_000, concurrency: 2, timeoutMs: 1000, await: false }, ac.signal);
    const n = decode(out.metrics['tcp.connect.latency']!.hdr!).totalCount;
    assert.ok(n > 10 && n < 10_000_000);
    assert.equal(out.metrics['tcp.connect.failed']!.count, n);
    assert.equal(out.info?.interrupted, true);
  });

  it('rejects a bad targets file naming every bad line', () => {
    assert.throws(() => parseTargets('10.96.1.0:80\nnope\n10.96.1.1:99999\n', 't.txt', { ipv4Only: true }), (e: unknown) => e instanceof UsageError && e.problems.length === 2 && e.problems[0] === 't.txt:2: expected ip:port (IPv4), got "nope"');
    assert.deepEqual(parseTargets('# c\n10.96.1.0:80\n\n'), [{ host: '10.96.1.0', port: 80 }]);
  });

  it('CLI prints one JSON line, and what it measured on SIGINT', async () => {
    const file = join(dir, 'targets');
    writeFileSync(file, `127.0.0.1:${port}\n`);
    const cmd = fileURLToPath(new URL('../../../src/cli/commands/agent-connect.js', import.meta.url));
    const script = `const { connectAgentCommand } = await import(${JSON.stringify(cmd)}); await connectAgentCommand().parseAsync(process.argv.slice(1), { from: 'user' });`;
    let accepted = 0;
    srv.on('connection', () => accepted++);
    const runCli = (args: string[], interrupt = false) =>
      new Promise<{ code: number | null; stdout: string }>((resolve) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
        let stdout = '';
        child.stdout.on('data', (d) => (stdout += d));
        // interrupt once it is seen probing (a loaded machine can take seconds to start node)
        const seen = accepted;
        const poll = setInterval(() => {
          if (interrupt && accepted > seen + 100) {
            clearInterval(poll);
            child.kill('SIGINT');
          }
        }, 20);
        child.on('close', (code) => {
          clearInterval(poll);
          resolve({ code, stdout });
        });
      });
    const ok = await runCli(['--targets', file, '--probes', '50', '--json']);
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout.trim().split('\n').length, 1);
    const out = parseAgentOutput(ok.stdout);
    assert.equal(out.agent, 'connect');
    assert.equal(decode(out.metrics['tcp.connect.latency']!.hdr!).totalCount, 50);

    const cut = await runCli(['--targets', file, '--probes', '100000000', '--concurrency', '2', '--json'], true);
    assert.equal(cut.code, 0);
    const partial = parseAgentOutput(cut.stdout);
    assert.equal(partial.info?.interrupted, true);
    assert.ok(decode(partial.metrics['tcp.connect.latency']!.hdr!).totalCount > 0);
  });
});
