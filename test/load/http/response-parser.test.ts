import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpParseError, ResponseParser } from '../../../src/load/http/response-parser.js';

function parse(chunks: string[], eof = false): Array<[number, boolean]> {
  const out: Array<[number, boolean]> = [];
  const p = new ResponseParser((status, closes) => out.push([status, closes]));
  for (const c of chunks) p.execute(Buffer.from(c, 'latin1'));
  if (eof) p.finish();
  return out;
}

const ok = (body: string, extra = '') => `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;

test('Content-Length framing: back-to-back responses in one read, and one response split byte by byte', () => {
  assert.deepEqual(parse([ok('hello') + ok('x') + ok('')]), [[200, false], [200, false], [200, false]]);
  const whole = ok('0123456789', 'Connection: close\r\n');
  assert.deepEqual(parse([...whole]), [[200, true]]);
});

test('header names are case-insensitive; HTTP/1.0 closes unless keep-alive', () => {
  assert.deepEqual(parse(['HTTP/1.1 503 Busy\r\ncOnTeNt-LeNgTh: 2\r\nCONNECTION: Close\r\n\r\nno']), [[503, true]]);
  assert.deepEqual(parse(['HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\na']), [[200, true]]);
  assert.deepEqual(parse(['HTTP/1.0 200 OK\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\na']), [[200, false]]);
});

test('chunked bodies with extensions and trailers, split anywhere', () => {
  const r = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\nA\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
  const next = ok('z');
  assert.deepEqual(parse([r + next]), [[200, false], [200, false]]);
  for (let cut = 1; cut < r.length; cut += 7) assert.deepEqual(parse([r.slice(0, cut), r.slice(cut) + next]), [[200, false], [200, false]], `cut at ${cut}`);
});

test('no body for 204/304 and interim 1xx; no length reads until close', () => {
  assert.deepEqual(parse(['HTTP/1.1 204 No Content\r\n\r\n' + ok('a')]), [[204, false], [200, false]]);
  assert.deepEqual(parse(['HTTP/1.1 100 Continue\r\n\r\n' + ok('a')]), [[200, false]]);
  assert.deepEqual(parse(['HTTP/1.1 200 OK\r\n\r\nbody until the end'], false), []);
  assert.deepEqual(parse(['HTTP/1.1 200 OK\r\n\r\nbody until the end'], true), [[200, true]]);
});

test('bytes that are no HTTP response are a parse error', () => {
  assert.throws(() => parse(['SSH-2.0-OpenSSH\r\n\r\n']), HttpParseError);
  assert.throws(() => parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n']), HttpParseError);
});
