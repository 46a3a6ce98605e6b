import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo } from 'node:net';
import { EV_CONNECT, EV_DATA, EV_EOF, EV_ERROR, Poller, TCP, UDP } from '../../src/net/netio.js';

const events = (p: Poller, n: number) => Array.from({ length: n }, (_, i) => ({ id: p.ev[4 * i]!, type: p.ev[4 * i + 1]!, value: p.ev[4 * i + 2]!, data: p.rx.subarray(i * p.slot, i * p.slot + Math.max(0, p.ev[4 * i + 2]!)) }));

test('UDP: 200 datagrams leave in one flush and every echo comes back, in batches', async () => {
  const echo = createSocket('udp4');
  let served = 0;
  echo.on('message', (m, r) => { served++; echo.send(m, r.port, r.address); });
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
  const got = new Set<number>();
  let calls = 0;
  const p = new Poller({ maxIds: 1, slot: 512, maxEvents: 64, txBytes: 64 << 10 }, (n) => {
    calls++;
    for (const e of events(p, n)) if (e.type === EV_DATA) got.add(e.data.readUInt32BE(0));
  });
  try {
    assert.ok(p.open(0, UDP, '127.0.0.1', (echo.address() as AddressInfo).port, 1 << 20) >= 0);
    for (let i = 0; i < 200; i++) p.tx.writeUInt32BE(i, p.reserve(0, 4, () => p.flush()));
    assert.equal(p.flush(), 200);
    for (let t = 0; t < 200 && got.size < 200; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(served, 200);
    assert.equal(got.size, 200);
    // events are handed over many at a time, not one call per datagram
    assert.ok(calls < 200, `${calls} calls for 200 datagrams`);
  } finally {
    p.destroy();
    echo.close();
  }
});

test('UDP: an ICMP refusal is reported and the socket stays read (a server back on the port is heard)', async () => {
  // a port nothing listens on yet: bind one and let it go
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const seen: string[] = [];
  const p = new Poller({ maxIds: 1, slot: 512, maxEvents: 16, txBytes: 4096 }, (n) => {
    for (const e of events(p, n)) seen.push(e.type === EV_DATA ? `data:${e.data.toString()}` : e.type === EV_ERROR ? `error:${e.value}` : `other:${e.type}`);
  });
  const send = (msg: string) => {
    Buffer.from(msg).copy(p.tx, p.reserve(0, msg.length, () => p.flush()));
    p.flush();
  };
  const until = async (f: () => boolean) => { for (let t = 0; t < 200 && !f(); t++) await new Promise((r) => setTimeout(r, 10)); };
  const echo = createSocket('udp4');
  try {
    assert.ok(p.open(0, UDP, '127.0.0.1', port, 1 << 16) >= 0);
    send('one');
    await until(() => seen.length > 0);
    assert.deepEqual(seen, ['error:111'], 'ECONNREFUSED from the ICMP port unreachable');
    echo.on('message', (m, r) => echo.send(Buffer.concat([Buffer.from('re:'), m]), r.port, r.address));
    await new Promise<void>((r) => echo.bind(port, '127.0.0.1', r));
    send('two');
    await until(() => seen.length > 1);
    assert.deepEqual(seen, ['error:111', 'data:re:two'], 'the same socket still delivers answers after the error');
  } finally {
    p.destroy();
    echo.close();
  }
});

test('TCP: connect, request, response, server close; a port nobody listens on is ECONNREFUSED', async () => {
  const server = createServer((s) => s.on('data', (d) => s.end(Buffer.concat([Buffer.from('re:'), d]))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const seen: string[] = [];
  let done!: () => void;
  const finished = new Promise<void>((r) => { done = r; });
  const p = new Poller({ maxIds: 2, slot: 4096, maxEvents: 16, txBytes: 4096 }, (n) => {
    for (const e of events(p, n)) {
      if (e.type === EV_CONNECT) {
        seen.push(`${e.id}:connect`);
        const msg = Buffer.from('ping');
        msg.copy(p.tx, p.reserve(e.id, msg.length, () => p.flush()));
        p.flush();
      } else if (e.type === EV_DATA) seen.push(`${e.id}:${e.data.toString()}`);
      else if (e.type === EV_EOF) seen.push(`${e.id}:eof`);
      else if (e.type === EV_ERROR) seen.push(`${e.id}:error:${e.value}`);
      if (seen.includes('0:eof') && seen.some((s) => s.startsWith('1:error'))) done();
    }
  });
  try {
    assert.ok(p.open(0, TCP, '127.0.0.1', port) >= 0);
    // nothing listens on port 1
    assert.ok(p.open(1, TCP, '127.0.0.1', 1) >= 0);
    await finished;
    assert.deepEqual(seen.filter((s) => s.startsWith('0:')), ['0:connect', '0:re:ping', '0:eof']);
    assert.deepEqual(seen.filter((s) => s.startsWith('1:')), ['1:error:111']);
  } finally {
    p.destroy();
    server.close();
  }
});
