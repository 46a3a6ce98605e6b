import { connect } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Target } from '../targets.js';

/** Wall-clock ms since the epoch with sub-ms resolution: comparable across processes and pods on one host. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

export type ConnectResult =
  | { ok: true; ms: number; at: number }
  | { ok: false; ms: number; reason: string };

/**
 * Opens one new TCP connection and closes it as soon as the handshake completes. The time is
 * from the connect() call to the 'connect' event (SYN out, SYN-ACK back), measured with the
 * monotonic clock. The socket is closed with a reset: no TIME_WAIT or lingering conntrack
 * entries pile up, so thousands of probes don't change what later probes measure.
 */
export function connectOnce(target: Target, timeoutMs: number, signal?: AbortSignal): Promise<ConnectResult> {
  return new Promise((resolve) => {
    const start = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
    if (signal?.aborted) {
      resolve({ ok: false, ms: 0, reason: 'aborted' });
      return;
    }
    const sock = connect({ host: target.host, port: target.port, noDelay: true });
    let settled = false;
    const finish = (r: ConnectResult, reset: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (reset && !sock.destroyed) sock.resetAndDestroy();
      else sock.destroy();
      resolve(r);
    };
    const onAbort = () => finish({ ok: false, ms: elapsed(), reason: 'aborted' }, false);
    const timer = setTimeout(() => finish({ ok: false, ms: elapsed(), reason: 'timeout' }, false), Math.max(1, timeoutMs));
    signal?.addEventListener('abort', onAbort, { once: true });
    sock.once('connect', () => {
      const ms = elapsed();
      finish({ ok: true, ms, at: epochNow() }, true);
    });
    sock.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, ms: elapsed(), reason: err.code ?? err.message }, false));
  });
}
