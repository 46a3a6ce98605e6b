import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { runHttpAgent, split } from '../../../src/load/http/agent.js';
import type { HttpAgentOptions } from '../../../src/load/http/contract.js';
import { decode } from '../../../src/metrics/histogram.js';

/** A real HTTP server on 127.0.0.1:0 that counts requests and connections (and requests per connection). */
interface Counting {
  server: Server;
  port: number;
  requests: number;
  connections: number;
  maxPerConnection: number;
  reset(): void;
}

async function countingServer(status = 200): Promise<Counting> {
  const perSocket = new WeakMap<Socket, number>();
  const c: Counting = {
    server: createServer((req, res) => {
      c.requests++;
      const n = (perSocket.get(req.socket) ?? 0) + 1;
      perSocket.set(req.socket, n);
      c.maxPerConnection = Math.max(c.maxPerConnection, n);
      res.statusCode = status;
      res.end('ok\n');
    }),
    port: 0, requests: 0, connections: 0, maxPerConnection: 0,
    reset() { c.requests = 0; c.connections = 0; c.maxPerConnection = 0; },
  };
  c.server.keepAliveTimeout = 30_000;
  c.server.on('connection', () => { c.connections++; });
  await new Promise<void>((r) => c.server.listen(0, '127.0.0.1', r));
  c.port = (c.server.address() as AddressInfo).port;
  return c;
}

function close(c: Counting): Promise<void> {
  c.server.closeAllConnections();
  return new Promise((r) => c.server.close(() => r()));
}

const base = (port: number, over: Partial<HttpAgentOptions> = {}): HttpAgentOptions => ({
  targets: [{ host: '127.0.0.1', port }], durationMs: 600, connections: 4, keepAlive: true,
  pipelining: 1, rate: 0, workers: 1, timeoutMs: 2000, ...over,
});

const settle = () => new Promise((r) => setTimeout(r, 100));

describe('http agent against real servers', () => {
  let ok: Counting;
  let failing: Counting;
  before(async () => {
    ok = await countingServer(200);
    failing = await countingServer(500);
  });
  after(async () => {
    await close(ok);
    await close(failing);
  });

  test('keep-alive: every request the server saw is a response, over one connection each', async () => {
    ok.reset();
    const out = await runHttpAgent(base(ok.port, { connections: 4 }));
    await settle();
    const responses = out.info?.responses as number;
    assert.ok(responses > 10, `only ${responses} responses`);
    // requests still in flight when the run stopped reached the server but were not answered
    assert.ok(ok.requests >= responses && ok.requests <= responses + 4, `server ${ok.requests} vs agent ${responses}`);
    assert.equal(ok.connections, 4);
    assert.equal(out.metrics['http.rps'].count, responses);
    assert.equal(decode(out.metrics['http.latency'].hdr!).totalCount, responses);
    assert.equal(out.metrics['http.errors'].value, 0);
  });

  test('no keep-alive: one new connection per request, counted at the server', async () => {
    ok.reset();
    const out = await runHttpAgent(base(ok.port, { connections: 4, keepAlive: false }));
    await settle();
    const responses = out.info?.responses as number;
    assert.ok(responses > 10, `only ${responses} responses`);
    assert.equal(ok.maxPerConnection, 1, 'a connection carried more than one request');
    assert.ok(ok.requests >= responses && ok.requests <= responses + 4, `server ${ok.requests} vs agent ${responses}`);
    assert.ok(ok.connections >= ok.requests, `server saw ${ok.connections} connections for ${ok.requests} requests`);
    assert.ok((out.info?.connects as number) >= responses);
    assert.equal(out.metrics['http.errors'].value, 0);
  });

  test('two worker threads: counts and histograms merge exactly', async () => {
    ok.reset();
    const out = await runHttpAgent(base(ok.port, { connections: 4, workers: 2 }));
    await settle();
    const responses = out.info?.responses as number;
    assert.equal(out.info?.workers, 2);
    assert.ok(responses > 20);
    assert.ok(ok.requests >= responses && ok.requests <= responses + 4);
    assert.equal(decode(out.metrics['http.latency'].hdr!).totalCount, responses);
  });

  test('targets: no-keep-alive connections walk every target', async () => {
    const other = await countingServer(200);
    try {
      ok.reset();
      const out = await runHttpAgent(base(ok.port, { connections: 1, keepAlive: false, durationMs: 500, targets: [{ host: '127.0.0.1', port: ok.port }, { host: '127.0.0.1', port: other.port }] }));
      await settle();
      const responses = out.info?.responses as number;
      assert.ok(ok.requests > 0 && other.requests > 0, `${ok.requests} / ${other.requests}`);
      // one connection alternates strictly between the two targets
      assert.ok(Math.abs(ok.requests - other.requests) <= 1, `${ok.requests} / ${other.requests}`);
      assert.ok(ok.requests + other.requests >= responses);
    } finally {
      await close(other);
    }
  });

  test('a server closing keep-alive connections after a limit is no error: the agent reconnects', async () => {
    const limited = await countingServer(200);
    limited.server.maxRequestsPerSocket = 5;
    try {
      const out = await runHttpAgent(base(limited.port, { connections: 2, durationMs: 500 }));
      await settle();
      const responses = out.info?.responses as number;
      assert.ok(responses > 10, `only ${responses} responses`);
      assert.equal(out.metrics['http.errors'].value, 0, JSON.stringify(out.info));
      assert.ok(limited.maxPerConnection <= 5 && limited.connections >= Math.floor(responses / 5), `${limited.connections} connections for ${responses}`);
    } finally {
      await close(limited);
    }
  });

  test('a server answering 500: every response is an error, and no latency is recorded', async () => {
    failing.reset();
    const out = await runHttpAgent(base(failing.port, { durationMs: 500 }));
    const responses = out.info?.responses as number;
    assert.ok(responses > 10);
    assert.equal(out.info?.non2xx, responses);
    assert.equal(out.metrics['http.errors'].value, responses);
    assert.equal(decode(out.metrics['http.latency'].hdr!).totalCount, 0);
  });

  test('a closed port: connection errors are counted, the run still ends with a result', async () => {
    const gone = await countingServer(200);
    const port = gone.port;
    await close(gone);
    const out = await runHttpAgent(base(port, { durationMs: 500 }));
    assert.equal(out.info?.responses, 0);
    assert.ok((out.info?.connErrors as number) > 0);
    assert.equal(out.metrics['http.errors'].value, out.info?.connErrors);
    assert.match(String((out.info?.errorSamples as string[])[0]), /ECONNREFUSED/);
  });

  test('a server that never answers: requests time out and are counted', async () => {
    const silent = createServer(() => { /* never responds */ });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      const out = await runHttpAgent(base(port, { durationMs: 700, timeoutMs: 200, connections: 2 }));
      assert.equal(out.info?.responses, 0);
      assert.ok((out.info?.timeouts as number) >= 2, `timeouts ${String(out.info?.timeouts)}`);
      assert.equal(out.metrics['http.errors'].value, out.info?.timeouts);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('bad options are usage errors', async () => {
    await assert.rejects(runHttpAgent(base(ok.port, { keepAlive: false, pipelining: 4 })), /pipelining/);
    await assert.rejects(runHttpAgent(base(ok.port, { connections: 0 })), /connections/);
  });
});

test('split spreads connections over workers', () => {
  assert.deepEqual(split(10, 3), [4, 3, 3]);
  assert.deepEqual(split(2, 2), [1, 1]);
});

test('a rate: the agent paces its requests, and idle gaps are no timeouts', async () => {
  const c = await countingServer(200);
  try {
    const out = await runHttpAgent(base(c.port, { connections: 2, rate: 20, durationMs: 1500, timeoutMs: 300 }));
    const responses = out.info?.responses as number;
    // 20/s for 1.5 s
    assert.ok(responses >= 27 && responses <= 31, `${responses} responses at 20/s`);
    assert.equal(out.metrics['http.errors'].value, 0, JSON.stringify(out.info));
  } finally {
    await close(c);
  }
});
