/**
 * Incremental HTTP/1.x response parsing for the load client: just enough to know where each
 * response ends and what it said (status, whether the server closes). Bodies are counted, never
 * kept. Framing per RFC 9112 section 6.3: no body for 1xx/204/304, chunked transfer coding
 * (extensions and trailers skipped), Content-Length, or else read until the server closes.
 */
export class HttpParseError extends Error {}

const enum S { Head, Body, ChunkSize, ChunkExt, ChunkData, ChunkDataEnd, Trailer, UntilClose }

const CRLF2 = Buffer.from('\r\n\r\n');
const MAX_HEAD = 64 << 10;

export type OnResponse = (status: number, serverCloses: boolean) => void;

export class ResponseParser {
  private state = S.Head;
  private head: Buffer | null = null;
  private remaining = 0;
  private chunkSize = 0;
  private lineLen = 0;
  private status = 0;
  private closes = false;

  constructor(private readonly onResponse: OnResponse) {}

  /** Between responses, with nothing half-read. */
  get idle(): boolean {
    return this.state === S.Head && this.head === null;
  }

  reset(): void {
    this.state = S.Head;
    this.head = null;
  }

  /** Feeds bytes; each complete response calls onResponse. Throws HttpParseError on bytes that are no HTTP response. */
  execute(chunk: Buffer): void {
    let buf = chunk;
    let i = 0;
    if (this.head) {
      if (this.state !== S.Head) throw new HttpParseError('parser state');
      buf = Buffer.concat([this.head, chunk]);
      this.head = null;
    }
    const end = buf.length;
    while (i < end) {
      switch (this.state) {
        case S.Head: {
          const e = buf.indexOf(CRLF2, i);
          if (e < 0) {
            if (end - i > MAX_HEAD) throw new HttpParseError('response head over 64 KiB');
            this.head = Buffer.from(buf.subarray(i));
            return;
          }
          this.parseHead(buf, i, e);
          i = e + 4;
          break;
        }
        case S.Body: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) this.complete();
          break;
        }
        case S.ChunkSize: {
          const c = buf[i++]!;
          const d = c >= 48 && c <= 57 ? c - 48 : (c | 32) >= 97 && (c | 32) <= 102 ? (c | 32) - 87 : -1;
          if (d >= 0) {
            this.chunkSize = this.chunkSize * 16 + d;
            if (this.chunkSize > Number.MAX_SAFE_INTEGER / 16) throw new HttpParseError('chunk size too large');
          } else if (c === 59 || c === 13 || c === 32 || c === 9) this.state = S.ChunkExt;
          else throw new HttpParseError('bad chunk size');
          break;
        }
        case S.ChunkExt: {
          // the rest of the size line: extensions, up to LF
          if (buf[i++] !== 10) break;
          if (this.chunkSize === 0) {
            this.state = S.Trailer;
            this.lineLen = 0;
          } else {
            this.remaining = this.chunkSize;
            this.state = S.ChunkData;
          }
          break;
        }
        case S.ChunkData: {
          const n = Math.min(this.remaining, end - i);
          this.remaining -= n;
          i += n;
          if (this.remaining === 0) {
            this.state = S.ChunkDataEnd;
            this.lineLen = 0;
          }
          break;
        }
        case S.ChunkDataEnd: {
          // the CRLF after a chunk's data
          if (buf[i++] === 10) {
            this.state = S.ChunkSize;
            this.chunkSize = 0;
          }
          break;
        }
        case S.Trailer: {
          const c = buf[i++]!;
          if (c === 10) {
            if (this.lineLen === 0) this.complete();
            else this.lineLen = 0;
          } else if (c !== 13) this.lineLen++;
          break;
        }
        case S.UntilClose:
          return;
      }
    }
  }

  /** The server closed the connection: completes a body read until close. True when that ended a response. */
  finish(): boolean {
    if (this.state !== S.UntilClose) return false;
    this.complete();
    return true;
  }

  private complete(): void {
    this.state = S.Head;
    this.onResponse(this.status, this.closes);
  }

  private parseHead(buf: Buffer, s: number, e: number): void {
    // "HTTP/1.x SSS"
    if (e - s < 12 || buf[s] !== 72 || buf[s + 1] !== 84 || buf[s + 2] !== 84 || buf[s + 3] !== 80 || buf[s + 4] !== 47 || buf[s + 5] !== 49 || buf[s + 6] !== 46) {
      throw new HttpParseError(`not an HTTP/1 response: ${JSON.stringify(buf.toString('latin1', s, Math.min(e, s + 20)))}`);
    }
    const http10 = buf[s + 7] === 48;
    const status = (buf[s + 9]! - 48) * 100 + (buf[s + 10]! - 48) * 10 + (buf[s + 11]! - 48);
    if (!(status >= 100 && status <= 999)) throw new HttpParseError('bad status code');
    let length = -1;
    let chunked = false;
    let close = http10;
    let line = buf.indexOf(10, s) + 1;
    while (line > 0 && line < e) {
      let lineEnd = buf.indexOf(13, line);
      if (lineEnd < 0 || lineEnd > e) lineEnd = e;
      const colon = buf.indexOf(58, line);
      if (colon > line && colon < lineEnd) {
        const name = nameOf(buf, line, colon);
        if (name !== Header.Other) {
          let v = colon + 1;
          while (v < lineEnd && (buf[v] === 32 || buf[v] === 9)) v++;
          if (name === Header.ContentLength) {
            length = 0;
            for (let k = v; k < lineEnd && buf[k]! >= 48 && buf[k]! <= 57; k++) length = length * 10 + buf[k]! - 48;
          } else {
            const value = buf.toString('latin1', v, lineEnd).toLowerCase();
            if (name === Header.TransferEncoding) chunked = value.includes('chunked');
            else if (value.includes('close')) close = true;
            else if (value.includes('keep-alive')) close = false;
          }
        }
      }
      line = buf.indexOf(10, lineEnd) + 1;
    }
    this.status = status;
    this.closes = close;
    if (status < 200 && status !== 101) return; // interim response: the real one follows
    if (status === 204 || status === 304 || (status >= 100 && status < 200)) return this.complete();
    if (chunked) {
      this.state = S.ChunkSize;
      this.chunkSize = 0;
    } else if (length >= 0) {
      if (length === 0) return this.complete();
      this.state = S.Body;
      this.remaining = length;
    } else {
      this.state = S.UntilClose;
      this.closes = true;
    }
  }
}

const enum Header { Other, ContentLength, TransferEncoding, Connection }

function nameOf(buf: Buffer, s: number, e: number): Header {
  const len = e - s;
  if (len === 14 && eqi(buf, s, 'content-length')) return Header.ContentLength;
  if (len === 17 && eqi(buf, s, 'transfer-encoding')) return Header.TransferEncoding;
  if (len === 10 && eqi(buf, s, 'connection')) return Header.Connection;
  return Header.Other;
}

function eqi(buf: Buffer, s: number, lower: string): boolean {
  for (let k = 0; k < lower.length; k++) if ((buf[s + k]! | 32) !== lower.charCodeAt(k)) return false;
  return true;
}
