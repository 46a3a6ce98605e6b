#!/usr/bin/env node
// Builds native/netio.node against the headers of the Node.js that runs this script, never
// downloading them: node-gyp is given --nodedir explicitly, so a machine's npm config (or its
// absence) does not decide where the headers come from.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

const execPrefix = dirname(dirname(process.execPath));
const candidates = [
  process.env.DISCOBENCH_NODEDIR,
  execPrefix,
  process.config.variables.node_prefix,
  '/usr',
  '/usr/local',
].filter(Boolean);

const nodedir = candidates.find((d) => existsSync(join(d, 'include', 'node', 'node_api.h')) && existsSync(join(d, 'include', 'node', 'common.gypi')));
if (!nodedir) {
  console.error(`build-native: Node.js ${process.version}'s headers (include/node/node_api.h, common.gypi) are not under ${candidates.join(', ')}; install them with your Node.js (Debian/NodeSource: the nodejs package ships them; distro node: libnode-dev) or set DISCOBENCH_NODEDIR to the prefix that holds include/node`);
  process.exit(4);
}
const gyp = spawnSync('node-gyp', ['rebuild', '--directory', 'native', `--nodedir=${nodedir}`], { stdio: 'inherit' });
process.exit(gyp.status ?? 1);
