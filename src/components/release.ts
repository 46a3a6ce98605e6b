import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../core/exec.js';
import type { Component } from './catalog.js';

/** One published release file and where its SHA-256 is published. */
export interface ReleaseAsset {
  url: string;
  sumsUrl: string;
  /** the name the sums file lists it under ('' when the sums file holds the bare digest) */
  sumsName: string;
  /** binaries inside (a tar archive), or the asset is the binary itself */
  members?: Record<string, string>;
  binary?: string;
}

const ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';

/** The official release downloads of a pinned component version (the upstream projects' layouts). */
export function releaseAssets(c: Component, version: string): ReleaseAsset[] {
  switch (c.module) {
    case 'kubernetes':
      return c.binaries.map((b) => {
        const url = `https://dl.k8s.io/release/${version}/bin/linux/${ARCH}/${b.name}`;
        return { url, sumsUrl: `${url}.sha256`, sumsName: '', binary: b.name };
      });
    case 'etcd': {
      const dir = `https://github.com/etcd-io/etcd/releases/download/${version}`;
      const file = `etcd-${version}-linux-${ARCH}.tar.gz`;
      return [{ url: `${dir}/${file}`, sumsUrl: `${dir}/SHA256SUMS`, sumsName: file, members: { etcd: `etcd-${version}-linux-${ARCH}/etcd` } }];
    }
    case 'coredns': {
      const file = `coredns_${version.replace(/^v/, '')}_linux_${ARCH}.tgz`;
      const url = `https://github.com/coredns/coredns/releases/download/${version}/${file}`;
      return [{ url, sumsUrl: `${url}.sha256`, sumsName: file, members: { coredns: 'coredns' } }];
    }
    default:
      return [];
  }
}

/** $DISCOBENCH_RELEASE_MIRROR=http://host:port serves https://HOST/PATH as /HOST/PATH. */
export function mirrored(url: string, mirror = process.env.DISCOBENCH_RELEASE_MIRROR): string {
  return mirror ? `${mirror.replace(/\/$/, '')}/${url.replace(/^https:\/\//, '')}` : url;
}

async function fetchBytes(url: string, timeoutMs: number): Promise<Buffer> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

/** The digest a sums file gives for `name` (or its only digest when name is ''). */
export function digestFor(sums: string, name: string): string | undefined {
  for (const line of sums.split('\n')) {
    const [hex, file] = line.trim().split(/\s+/);
    if (!hex || !/^[0-9a-f]{64}$/i.test(hex)) continue;
    if (!name || !file || file.replace(/^\*/, '').replace(/^.*\//, '') === name) return hex.toLowerCase();
  }
  return undefined;
}

/**
 * Downloads the component's release files into binDir, each checked against its published
 * SHA-256 before anything is written there. Throws on the first unreachable file or mismatch.
 */
export async function downloadRelease(c: Component, version: string, binDir: string, timeoutMs = 20_000): Promise<void> {
  const staging = mkdtempSync(join(binDir, '..', '.download-'));
  try {
    for (const a of releaseAssets(c, version)) {
      const body = await fetchBytes(mirrored(a.url), timeoutMs * 30);
      const want = digestFor((await fetchBytes(mirrored(a.sumsUrl), timeoutMs)).toString('utf8'), a.sumsName);
      const got = createHash('sha256').update(body).digest('hex');
      if (!want) throw new Error(`${a.sumsUrl} lists no SHA-256 for ${a.sumsName || a.url}`);
      if (want !== got) throw new Error(`${a.url}: SHA-256 ${got} does not match the published ${want}`);
      if (a.binary) {
        writeFileSync(join(staging, a.binary), body, { mode: 0o755 });
        continue;
      }
      const archive = join(staging, 'archive.tgz');
      writeFileSync(archive, body);
      const out = join(staging, 'x');
      mkdirSync(out);
      await run('tar', ['-xzf', archive, '-C', out, ...Object.values(a.members ?? {})]);
      for (const [name, member] of Object.entries(a.members ?? {})) {
        renameSync(join(out, member), join(staging, name));
        chmodSync(join(staging, name), 0o755);
      }
      rmSync(out, { recursive: true, force: true });
      rmSync(archive, { force: true });
    }
    mkdirSync(binDir, { recursive: true });
    for (const b of c.binaries) renameSync(join(staging, b.name), join(binDir, b.name));
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}
