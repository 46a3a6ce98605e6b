import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** Magic numbers of the payload compressions a bzImage may carry, and the tool that undoes each. */
const PAYLOADS: { magic: Buffer; tool?: string[] }[] = [
  { magic: Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), tool: ['xz', '-dc'] },
  { magic: Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), tool: ['zstd', '-dcq'] },
  { magic: Buffer.from([0x1f, 0x8b, 0x08, 0x00]) },
];

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);

function decompress(payload: Buffer, tool: string[] | undefined): Promise<Buffer> {
  if (!tool) return Promise.resolve(gunzipSync(payload, { finishFlush: 2 }));
  return new Promise((resolve, reject) => {
    const p = spawn(tool[0]!, tool.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    p.stdout.on('data', (d: Buffer) => chunks.push(d));
    p.on('error', reject);
    // xz and zstd complain about the bytes after the stream (exit 1) but have written the kernel
    p.on('close', () => resolve(Buffer.concat(chunks)));
    p.stdin.on('error', () => undefined);
    p.stdin.end(payload);
  });
}

/**
 * The uncompressed ELF kernel inside a bzImage, written to `out`, or undefined when none is
 * found. qemu boots it directly through its PVH entry (CONFIG_PVH, set in Debian's kernels),
 * which skips the in-guest decompression: under TCG that alone takes 5 to 8 s of a boot.
 */
export async function extractVmlinux(bzImage: string, out: string): Promise<string | undefined> {
  const img = readFileSync(bzImage);
  for (const { magic, tool } of PAYLOADS) {
    for (let at = img.indexOf(magic); at >= 0; at = img.indexOf(magic, at + 1)) {
      const elf = await decompress(img.subarray(at), tool).catch(() => Buffer.alloc(0));
      if (elf.length > 1 << 20 && elf.subarray(0, 4).equals(ELF)) {
        const fd = openSync(out, 'w');
        try { writeSync(fd, elf); } finally { closeSync(fd); }
        return out;
      }
    }
  }
  return undefined;
}
