import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cpioArchive, DIR, EXEC, LINK } from '../../src/vm/cpio.js';
import { compareVersions, moduleLoadOrder, parseModulesDep } from '../../src/vm/kernel.js';
import { shellQuote, stripSignature } from '../../src/vm/initramfs.js';
import { PrerequisiteError } from '../../src/core/errors.js';

test('cpio newc: headers, 4-byte padding, symlink targets and the trailer', () => {
  const a = cpioArchive([{ path: 'bin', mode: DIR }, { path: '/init', mode: EXEC, data: Buffer.from('hi\n') }, { path: 'bin/sh', mode: LINK, target: 'busybox' }]);
  const text = a.toString('latin1');
  assert.equal(text.slice(0, 6), '070701');
  assert.equal(a.length % 4, 0);
  // second entry: mode 100755, size 3, name "init" (leading slash dropped)
  const second = text.indexOf('070701', 6);
  assert.equal(text.slice(second + 14, second + 22), '000081ed');
  assert.equal(text.slice(second + 54, second + 62), '00000003');
  assert.ok(text.includes('init\0'));
  assert.ok(text.includes('busybox'));
  assert.ok(text.includes('TRAILER!!!\0'));
});

test('kernel versions sort numerically', () => {
  assert.deepEqual(['6.1.0-9-amd64', '6.1.0-57-amd64', '5.10.0-30-amd64'].sort(compareVersions), ['5.10.0-30-amd64', '6.1.0-9-amd64', '6.1.0-57-amd64']);
});

test('modules load dependencies first, each once; built-ins need nothing; unknown ones are a prerequisite error', () => {
  const index = parseModulesDep([
    'kernel/fs/9p/9p.ko: kernel/net/9p/9pnet.ko kernel/fs/netfs/netfs.ko',
    'kernel/net/9p/9pnet.ko:',
    'kernel/fs/netfs/netfs.ko:',
    'kernel/net/9p/9pnet_virtio.ko: kernel/net/9p/9pnet.ko kernel/drivers/virtio/virtio_ring.ko',
    'kernel/drivers/virtio/virtio_ring.ko:',
  ].join('\n'), 'kernel/drivers/virtio/virtio.ko\n');
  assert.deepEqual(moduleLoadOrder(index, ['9pnet-virtio', '9p', 'virtio']), [
    'kernel/net/9p/9pnet.ko', 'kernel/drivers/virtio/virtio_ring.ko', 'kernel/net/9p/9pnet_virtio.ko', 'kernel/fs/netfs/netfs.ko', 'kernel/fs/9p/9p.ko',
  ]);
  assert.throws(() => moduleLoadOrder(index, ['ip_vs']), (e: unknown) => e instanceof PrerequisiteError && e.exitCode === 4);
});

test('a module signature is cut off exactly; an unsigned module is left alone', () => {
  const body = Buffer.from('\x7fELF module body');
  const sig = Buffer.alloc(5, 0xaa);
  const info = Buffer.alloc(12);
  info.writeUInt32BE(sig.length, 8);
  const signed = Buffer.concat([body, sig, info, Buffer.from('~Module signature appended~\n')]);
  assert.deepEqual(stripSignature(signed), body);
  assert.deepEqual(stripSignature(body), body);
});

test('shell quoting survives quotes and spaces', () => {
  assert.equal(shellQuote(`it's a "test"`), `'it'\\''s a "test"'`);
});
