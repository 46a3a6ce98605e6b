import { randomBytes } from 'node:crypto';

/** yyyymmdd-hhmmss in UTC, the prefix of run directories. */
export function utcStamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}-${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/** 8 hex digits: short enough for interface and namespace names, unique enough per machine. */
export function newRunId(): string {
  return randomBytes(4).toString('hex');
}
