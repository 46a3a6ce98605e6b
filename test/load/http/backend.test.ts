import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, spawnProcess } from '../../../src/core/exec.js';
import { fetchInNetns, parseBackendStatus, prepareBackend, renderNginxConf, STATUS_PATH } from '../../../src/load/http/backend.js';
import { waitListening } from '../../../src/load/http/lab.js';

const NS = `disco-thttp${process.pid}`;
let dir = '';
let nginx: ReturnType<typeof spawnProcess> | undefined;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disco-thttp-'));
  await run('ip', ['netns', 'del', NS], { reject: false });
  await run('ip', ['netns', 'add', NS]);
  await run('ip', ['link', 'set', 'lo', 'up'], { netns: NS });
  // the backend namespace holds every endpoint IP of the range through one AnyIP route
  await run('ip', ['route', 'add', 'local', '10.244.64.0/18', 'dev', 'lo'], { netns: NS });
  const cmd = await prepareBackend(dir, { port: 8080, workers: 2 });
  nginx = spawnProcess(cmd.file, cmd.args, { netns: NS });
  await waitListening(NS, 8080);
});

after(async () => {
  if (nginx?.pid) {
    try { process.kill(-nginx.pid, 'SIGTERM'); } catch { /* gone */ }
    await nginx.catch(() => undefined);
  }
  await run('ip', ['netns', 'del', NS], { reject: false });
  await rm(dir, { recursive: true, force: true });
});

test('nginx answers on two different endpoint IPs, naming each in the body, and counts what it served', async () => {
  const status = `http://10.244.64.1:8080${STATUS_PATH}`;
  const [before, a, b, , , now] = await fetchInNetns(NS, [status, 'http://10.244.64.5:8080/', 'http://10.244.100.77:8080/', 'http://10.244.64.9:8080/', 'http://10.244.64.9:8080/', status]);
  assert.equal(a, 'discobench 10.244.64.5\n');
  assert.equal(b, 'discobench 10.244.100.77\n');
  // four GETs and the first status request
  assert.equal(parseBackendStatus(now).requests - parseBackendStatus(before).requests, 5);
});

test('the config keeps every file inside its directory', () => {
  const conf = renderNginxConf('/x/y', { port: 8080, workers: 3 });
  assert.match(conf, /worker_processes 3;/);
  assert.match(conf, /listen 8080 reuseport/);
  for (const m of conf.matchAll(/(?:pid|error_log|_temp_path) (\S+?);?$/gm)) assert.ok(m[1].startsWith('/x/y/'), m[0]);
  assert.match(conf, /access_log off;/);
});

test('stub_status parsing', () => {
  const s = parseBackendStatus('Active connections: 2 \nserver accepts handled requests\n 10 10 31 \nReading: 0 Writing: 1 Waiting: 1 \n');
  assert.deepEqual(s, { active: 2, accepts: 10, handled: 10, requests: 31 });
});
