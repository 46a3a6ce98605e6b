import autocannon from 'autocannon';
import { connect, type Socket } from 'node:net';
import { encode, newHistogram, SCALE } from '../../metrics/histogram.js';
import type { Target } from '../targets.js';

/**
 * One autocannon instance driving a slice of the agent's connections (the whole agent, or one
 * worker thread's share). autocannon provides the client machinery (HTTP parsing, pipelining,
 * rate limiting, timeouts, run timer); setupClient adapts each of its clients to what a
 * ClusterIP benchmark needs and autocannon cannot do by itself:
 * - targets: every (re)connect goes to the next ClusterIP of the connection's own cycle
 *   (connection g starts at target g mod T and steps by the agent's connection count), so
 *   keep-alive connections are spread evenly over the targets and no-keep-alive runs walk all of
 *   them, however connections are split over workers;
 * - keepAlive false: a response ends its connection and the next request opens a new one
 *   (`Connection: close` is sent and the client closes at once, as wrk does), because autocannon's
 *   own reconnectRate drops the response it resets on;
 * - exact latency: every response's time (hrtime, ms as a float) goes into our µs HDR histogram,
 *   not autocannon's ms-resolution one.
 */
export interface CannonSlice {
  targets: Target[];
  connections: number;
  /** global index of this slice's first connection and the agent's total: fixes target cycles */
  firstConnection: number;
  totalConnections: number;
  durationMs: number;
  keepAlive: boolean;
  pipelining: number;
  /** requests per second for the slice; 0 = as fast as possible */
  rate: number;
  timeoutMs: number;
  path: string;
}

/** What one slice measured; counters add and histograms merge exactly across slices. */
export interface CannonPartial {
  /** encoded HDR histogram (µs) of 2xx responses */
  hdr: string;
  responses: number;
  non2xx: number;
  /** connections refused or reset, and requests lost on a connection the server closed */
  connErrors: number;
  timeouts: number;
  connects: number;
  elapsedMs: number;
  /** the first few distinct error messages */
  errorSamples: string[];
}

/** The parts of autocannon's (internal) Client this adapter relies on. */
interface CannonClient {
  opts: { pipelining: number };
  conn: Socket;
  parser: { initialize(type: string): void };
  pipelinedRequests: { clear(): void; addByteCount(n: number): void; size(): number };
  destroyed: boolean;
  timeout: number;
  _connect(): void;
  _doRequest(): void;
  _resetConnection(): void;
  _destroyConnection(): void;
  getRequestBuffer(): Buffer;
  emit(event: string, ...args: unknown[]): boolean;
  on(event: string, fn: (...args: never[]) => void): void;
}

export function requestBuffer(t: Target, path: string, keepAlive: boolean): Buffer {
  const host = t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
  return Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: discobench\r\nConnection: ${keepAlive ? 'keep-alive' : 'close'}\r\n\r\n`);
}

export function runCannonSlice(slice: CannonSlice, signal?: AbortSignal): Promise<CannonPartial> {
  const h = newHistogram();
  const T = slice.targets.length;
  const buffers = slice.targets.map((t) => requestBuffer(t, slice.path, slice.keepAlive));
  const errorSamples = new Set<string>();
  const part = { responses: 0, non2xx: 0, connErrors: 0, timeouts: 0, connects: 0 };
  // open loop: with a rate, a late response also stands for the requests it held back
  const perClientRate = slice.rate > 0 ? slice.rate / slice.connections : 0;
  const expectedUs = perClientRate > 0 ? Math.round((1e6 / perClientRate)) : 0;
  let nextIndex = 0;
  const noteError = (msg: string) => {
    if (errorSamples.size < 5) errorSamples.add(msg);
  };

  const setupClient = (raw: unknown) => {
    const c = raw as CannonClient;
    const g = slice.firstConnection + nextIndex++;
    let cursor = g % T;
    let current = 0;
    let usedOnConn = 0;
    // the server announced it closes after this response (Connection: close, a keep-alive limit)
    let serverCloses = false;
    const HTTP_RESPONSE = 'RESPONSE';
    c.timeout = slice.timeoutMs;
    c.getRequestBuffer = () => buffers[current];

    c._connect = function (this: CannonClient) {
      current = cursor;
      cursor = (cursor + slice.totalConnections) % T;
      const t = slice.targets[current];
      const conn = connect(t.port, t.host);
      conn.setNoDelay(true);
      this.conn = conn;
      this.parser.initialize(HTTP_RESPONSE);
      usedOnConn = 0;
      serverCloses = false;
      part.connects++;
      conn.on('error', (err: Error) => {
        if (this.conn !== conn) return;
        this.pipelinedRequests.clear();
        noteError(`${t.host}:${t.port}: ${err.message}`);
        this.emit('connError', err);
        if (!this.destroyed) this._connect();
      });
      conn.on('data', (chunk: Buffer) => {
        if (this.conn !== conn) return;
        this.pipelinedRequests.addByteCount(chunk.length);
        (this.parser as unknown as { execute(b: Buffer): void }).execute(chunk);
      });
      conn.on('end', () => {
        if (this.conn !== conn || this.destroyed) return;
        // the server closed a connection that still owed responses: those requests failed
        if (this.pipelinedRequests.size() > 0) {
          noteError(`${t.host}:${t.port}: connection closed by server`);
          this.pipelinedRequests.clear();
          this.emit('connError', new Error('connection closed by server'));
        }
        this._connect();
      });
      for (let i = 0; i < this.opts.pipelining; i++) this._doRequest();
    };

    const doRequest = c._doRequest;
    c._doRequest = function (this: CannonClient) {
      if ((!slice.keepAlive || serverCloses) && usedOnConn > 0 && !this.destroyed) {
        // the previous response ended this connection; _connect sends on a fresh one
        this._resetConnection();
        return;
      }
      usedOnConn++;
      doRequest.call(this);
    };

    c.on('response', (status: number, _bytes: number, ms: number) => {
      part.responses++;
      if (status >= 200 && status < 300) {
        const us = Math.max(1, Math.round(ms * SCALE));
        if (expectedUs > 0) h.recordValueWithExpectedInterval(us, expectedUs);
        else h.recordValue(us);
      } else {
        part.non2xx++;
        noteError(`HTTP ${status}`);
      }
    });
    c.on('headers', (info: { shouldKeepAlive?: boolean }) => {
      if (info.shouldKeepAlive === false) serverCloses = true;
    });
    c.on('connError', () => { part.connErrors++; });
    // autocannon's timer also fires on a connection idling under --rate; only owed responses count
    let pendingAtDestroy = 0;
    const destroyConnection = c._destroyConnection;
    c._destroyConnection = function (this: CannonClient) {
      pendingAtDestroy = this.pipelinedRequests.size();
      destroyConnection.call(this);
    };
    c.on('timeout', () => {
      if (pendingAtDestroy === 0) return;
      part.timeouts++;
      noteError('request timed out');
    });
  };

  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const first = slice.targets[0];
    const instance = autocannon({
      url: `http://${first.host.includes(':') ? `[${first.host}]` : first.host}:${first.port}${slice.path}`,
      connections: slice.connections,
      duration: slice.durationMs / 1000,
      pipelining: slice.pipelining,
      timeout: Math.max(1, Math.ceil(slice.timeoutMs / 1000)),
      overallRate: slice.rate > 0 ? Math.max(slice.connections, Math.round(slice.rate)) : undefined,
      setupClient,
      excludeErrorStats: true,
      // autocannon checks its stop flag on this tick: 100 ms keeps short runs close to their duration
      sampleInt: 100,
    } as autocannon.Options, (err: Error | null) => {
      signal?.removeEventListener('abort', onAbort);
      if (err) return reject(err);
      resolvePromise({ hdr: encode(h), ...part, elapsedMs: performance.now() - started, errorSamples: [...errorSamples] });
    });
    const onAbort = () => (instance as unknown as { stop(): void }).stop();
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}
