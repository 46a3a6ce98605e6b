import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { performance } from 'node:perf_hooks';
import { runHttpTrace, TRACE_KINDS } from '../../../src/load/http/trace.js';

/** A TCP server on 127.0.0.1 that treats each connection as `handle` says; resolves its port. */
async function server(handle: (sock: Socket) => void): Promise<{ port: number; srv: Server }> {
  const srv = createServer(handle);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return { port: (srv.address() as { port: number }).port, srv };
}

const answer = (who: string, status = 200) => (sock: Socket) =>
  sock.on('data', () => sock.write(`HTTP/1.1 ${status} X\r\nContent-Length: ${who.length + 11}\r\n\r\ndiscobench ${who}`));

function totals(r: Awaited<ReturnType<typeof runHttpTrace>>, i: number): Record<string, number> {
  const sums = Object.fromEntries(TRACE_KINDS.map((k) => [k, 0]));
  for (const b of r.trace.targets[i]!.bins) b.forEach((n, k) => { sums[TRACE_KINDS[k]!]! += n; });
  return Object.fromEntries(Object.entries(sums).filter(([, n]) => n > 0));
}

test('trace mode classifies what real sockets meet and names the endpoint that answered', async () => {
  const ok = await server(answer('10.244.64.7'));
  const err = await server(answer('10.244.64.8', 503));
  const reset = await server((sock) => sock.on('data', () => sock.resetAndDestroy()));
  const silent = await server(() => undefined);
  const closed = await server((sock) => sock.on('data', () => sock.end()));
  const gone = await server(() => undefined);
  gone.srv.close();
  await new Promise((r) => setTimeout(r, 50));
  const targets = [ok, err, reset, silent, closed, gone].map((s) => ({ host: '127.0.0.1', port: s.port }));
  try {
    const r = await runHttpTrace({ targets, durationMs: 600, connections: 1, keepAlive: true, intervalMs: 50, timeoutMs: 200, path: '/' });
    const t = (i: number) => totals(r, i);
    assert.deepEqual(Object.keys(t(0)), ['ok']);
    assert.ok(t(0).ok! >= 8, `paced at 50 ms for 600 ms: ${t(0).ok}`);
    assert.deepEqual(Object.keys(r.trace.targets[0]!.endpoints), ['10.244.64.7']);
    assert.equal(r.trace.targets[0]!.endpoints['10.244.64.7']!.count, t(0).ok);
    assert.deepEqual(Object.keys(t(1)), ['non2xx']);
    assert.deepEqual(Object.keys(t(2)), ['reset']);
    assert.deepEqual(Object.keys(t(3)), ['timeout']);
    assert.ok(t(3).timeout! <= 3, 'a timeout waits its 200 ms before the next request');
    assert.deepEqual(Object.keys(t(4)), ['closed']);
    assert.deepEqual(Object.keys(t(5)), ['refused']);
    // every failure is listed with its time, inside the run
    const errs = r.trace.targets[2]!.errors;
    assert.equal(errs.length, t(2).reset);
    assert.ok(errs.every(([at]) => at >= r.trace.t0 && at <= r.trace.t0 + r.elapsedMs));
  } finally {
    for (const s of [ok, err, reset, silent, closed]) s.srv.close();
  }
});

test('without keep-alive every request opens its own connection', async () => {
  let connections = 0;
  const s = await server((sock) => { connections++; answer('10.244.64.9')(sock); });
  try {
    const r = await runHttpTrace({ targets: [{ host: '127.0.0.1', port: s.port }], durationMs: 400, connections: 1, keepAlive: false, intervalMs: 40, timeoutMs: 200, path: '/' });
    const n = totals(r, 0).ok!;
    assert.ok(n >= 5);
    assert.equal(connections, n);
  } finally {
    s.srv.close();
  }
});

/**
 * A server in another process, so it answers (after delayMs) while this one is blocked; `body`
 * gets a function that makes one traced request to it, with a 300 ms timeout.
 */
async function withSlowServer(delayMs: number, body: (oneRequest: (keepAlive: boolean) => ReturnType<typeof runHttpTrace>) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['-e', `
    const s = require('net').createServer((c) => c.on('data', () => setTimeout(() => c.write('HTTP/1.1 200 OK\\r\\nContent-Length: 13\\r\\n\\r\\ndiscobench ok'), ${delayMs})));
    s.listen(0, '127.0.0.1', () => console.log(s.address().port));`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<number>((r) => child.stdout.once('data', (d: Buffer) => r(Number(d.toString()))));
    await body((keepAlive) => runHttpTrace({ targets: [{ host: '127.0.0.1', port }], durationMs: 100, connections: 1, keepAlive, intervalMs: 1000, timeoutMs: 300, path: '/' }));
  } finally {
    child.kill();
  }
}

/** Blocks this process for `ms` from the check phase of the turn after `afterMs`. */
async function stall(afterMs: number, ms: number): Promise<void> {
  await new Promise((r) => setTimeout(r, afterMs));
  await new Promise((r) => setImmediate(r));
  const until = performance.now() + ms;
  while (performance.now() < until) { /* stalled */ }
}

test('an answer that arrived in time while this process stalled past the timeout is read, not timed out', () =>
  withSlowServer(100, async (oneRequest) => {
    const traced = oneRequest(true);
    // 50 ms into the request, blocked for 800 ms: the answer is in the socket, the deadline long past
    await stall(50, 800);
    const r = await traced;
    assert.deepEqual(totals(r, 0), { ok: 1 });
    assert.ok(r.trace.agentStall!.totalMs >= 700, JSON.stringify(r.trace.agentStall));
  }));

test('a stall of the agent extends the deadline by its length: 300 ms of the agent running, not of the clock', () =>
  // answered after 900 ms, 800 of which the agent is blocked: 100 ms of its own time
  withSlowServer(900, async (oneRequest) => {
    const traced = oneRequest(false);
    await stall(0, 800);
    const r = await traced;
    assert.deepEqual(totals(r, 0), { ok: 1 });
    assert.equal(r.trace.agentStall!.extendedRequests, 1);
    // and without a stall the same answer is late
    const late = await oneRequest(false);
    assert.deepEqual(totals(late, 0), { timeout: 1 });
    assert.equal(late.trace.agentStall!.extendedRequests, 0);
    assert.ok(r.trace.agentStall!.longestMs >= 700, JSON.stringify(r.trace.agentStall));
  }));
