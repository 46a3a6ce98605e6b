/**
 * A writer for the "newc" cpio format the kernel unpacks as an initramfs, so the VM's tiny
 * initramfs is built in memory at run time without the cpio tool or a staging directory.
 */
export interface CpioEntry {
  path: string;
  /** file type and permission bits, e.g. 0o100755 for an executable */
  mode: number;
  /** regular files only */
  data?: Buffer;
  /** symlinks only */
  target?: string;
  /** device nodes only: major, minor */
  rdev?: [number, number];
}

export const DIR = 0o040755;
export const FILE = 0o100644;
export const EXEC = 0o100755;
export const LINK = 0o120777;
export const CHARDEV = 0o020600;

const hex = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

function header(ino: number, mode: number, size: number, name: string, rdev: [number, number] = [0, 0]): Buffer {
  const nameBuf = Buffer.from(`${name}\0`);
  const fields = [ino, mode, 0, 0, 1, 0, size, 0, 0, rdev[0], rdev[1], nameBuf.length, 0];
  const head = Buffer.from(`070701${fields.map(hex).join('')}`, 'ascii');
  return Buffer.concat([head, nameBuf, pad4(head.length + nameBuf.length)]);
}

/** The archive, parents before children as given; a trailer closes it. */
export function cpioArchive(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  let ino = 1;
  for (const e of entries) {
    const body = e.target !== undefined ? Buffer.from(e.target) : (e.data ?? Buffer.alloc(0));
    parts.push(header(ino++, e.mode, body.length, e.path.replace(/^\/+/, ''), e.rdev), body, pad4(body.length));
  }
  parts.push(header(0, 0, 0, 'TRAILER!!!'));
  return Buffer.concat(parts);
}
