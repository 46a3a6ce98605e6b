import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderIpvs } from '../dataplane/ipvs.js';
import { allServicePorts } from '../dataplane/service-ports.js';
import { writeClusterZones } from '../dns/server/unbound-process.js';
import { generateServices } from '../model/generate.js';
import { proxierFirstSyncText } from './sync.js';

/**
 * Child-process entry of `perf`'s memory figure: everything the harness process itself holds for
 * an N-Service run (the cluster model, the full iptables, nftables and IPVS renders of the first
 * sync, the cluster DNS zone files), all at once, which no single run needs; the kernel's apply is
 * not run (minutes at 30k Services, and in the kernel's memory, not ours). Prints one JSON line
 * with the peak RSS (getrusage maxrss) and the sizes produced.
 */
const count = Number(process.argv[2]);
const state = generateServices({ count, endpointsPerService: 2, headless: Math.floor(count / 100), externalName: Math.floor(count / 500), namespaces: 10 });
const iptables = proxierFirstSyncText('iptables', state);
const nftables = proxierFirstSyncText('nftables', state);
const ipvs = renderIpvs(allServicePorts(state));
const dir = await mkdtemp(join(tmpdir(), 'disco-rss-'));
try {
  await writeClusterZones(state, dir);
} finally {
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify({
  services: count,
  maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  iptablesBytes: Buffer.byteLength(iptables),
  nftablesBytes: Buffer.byteLength(nftables),
  ipvsBytes: Buffer.byteLength(ipvs.ipset) + Buffer.byteLength(ipvs.ipvsadm) + Buffer.byteLength(ipvs.iptables),
}) + '\n');
