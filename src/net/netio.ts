import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { PrerequisiteError } from '../core/errors.js';

/**
 * Batched socket I/O for the load agents, over the native addon in native/netio.c (built by
 * `npm run build`). A Poller owns a set of sockets by small integer id; what they receive in one
 * event-loop iteration arrives in one onEvents(n) call as n entries of `ev` (socket id, type,
 * value, fd), entry i's bytes at rx[i * slot ...]. Sends are queued into one buffer and leave in
 * one call (sendmmsg for UDP). This is what lets a Node agent keep pace with dnsperf and wrk:
 * Node's dgram/net cost one JS call, one Buffer and one syscall per packet.
 */
export const EV_DATA = 0;
export const EV_CONNECT = 1;
export const EV_ERROR = 2;
export const EV_EOF = 3;
export const UDP = 0;
export const TCP = 1;

interface NativeNetio {
  createPoller(onEvents: (n: number) => void, rx: Buffer, slot: number, ev: Int32Array, maxIds: number): object;
  open(p: object, id: number, kind: number, host: string, port: number, bufBytes: number): number;
  close(p: object, id: number): void;
  send(p: object, tx: Buffer, ids: Int32Array, offs: Int32Array, lens: Int32Array, n: number): number;
  destroy(p: object): void;
}

const ADDON = fileURLToPath(new URL('../../../native/build/Release/netio.node', import.meta.url));
let addon: NativeNetio | undefined;

function native(): NativeNetio {
  if (addon) return addon;
  try {
    addon = createRequire(import.meta.url)(ADDON) as NativeNetio;
    return addon;
  } catch (err) {
    throw new PrerequisiteError(`the agents' native I/O addon is not built (${ADDON}: ${(err as Error).message.split('\n')[0]}); run: npm run build`);
  }
}

export interface PollerOptions {
  /** sockets, ids 0..maxIds-1 */
  maxIds: number;
  /** bytes per received datagram or read */
  slot: number;
  /** events per onEvents call at most */
  maxEvents: number;
  /** bytes of queued sends before a forced flush */
  txBytes: number;
}

export class Poller {
  readonly rx: Buffer;
  readonly ev: Int32Array;
  readonly slot: number;
  readonly tx: Buffer;
  /** after flush(): bytes sent per queued entry, or -errno */
  readonly lens: Int32Array;
  private readonly ids: Int32Array;
  private readonly offs: Int32Array;
  private readonly n: NativeNetio;
  private readonly handle: object;
  private txUsed = 0;
  queued = 0;
  private closed = false;

  constructor(o: PollerOptions, onEvents: (n: number) => void) {
    this.n = native();
    this.slot = o.slot;
    this.rx = Buffer.alloc(o.slot * o.maxEvents);
    this.ev = new Int32Array(4 * o.maxEvents);
    this.tx = Buffer.alloc(o.txBytes);
    const maxQueued = Math.max(64, o.txBytes >> 5);
    this.ids = new Int32Array(maxQueued);
    this.offs = new Int32Array(maxQueued);
    this.lens = new Int32Array(maxQueued);
    this.handle = this.n.createPoller(onEvents, this.rx, o.slot, this.ev, o.maxIds);
  }

  /** Opens and connects socket `id` (replacing any open one); fd, or -errno. TCP reports EV_CONNECT or EV_ERROR. */
  open(id: number, kind: number, host: string, port: number, bufBytes = 0): number {
    return this.n.open(this.handle, id, kind, host, port, bufBytes);
  }

  close(id: number): void {
    if (!this.closed) this.n.close(this.handle, id);
  }

  /**
   * Reserves len bytes of the send buffer for socket id and returns their offset in tx; the
   * caller writes them before the next flush. When the queue is full, `flushQueued` (the owner's
   * flush, which accounts for what was queued and calls flush()) runs first.
   */
  reserve(id: number, len: number, flushQueued: () => void): number {
    if (this.queued === this.ids.length || this.txUsed + len > this.tx.length) {
      flushQueued();
      if (len > this.tx.length) throw new RangeError(`netio: a ${len}-byte message exceeds the ${this.tx.length}-byte send buffer`);
    }
    const off = this.txUsed;
    this.ids[this.queued] = id;
    this.offs[this.queued] = off;
    this.lens[this.queued] = len;
    this.queued++;
    this.txUsed += len;
    return off;
  }

  /** Sends everything queued, in order; lens[i] then says what became of entry i. Returns how many went out whole. */
  flush(): number {
    const n = this.queued;
    if (n === 0 || this.closed) return 0;
    this.queued = 0;
    this.txUsed = 0;
    return this.n.send(this.handle, this.tx, this.ids, this.offs, this.lens, n);
  }

  /** Closes every socket; nothing is delivered afterwards. */
  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    this.n.destroy(this.handle);
  }
}
