import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseWrk } from '../../src/perf/http.js';
import { parseChildCpuMs, runWithCpu } from '../../src/core/child-cpu.js';
import { parseDnsperf } from '../../src/perf/dnsperf.js';

/* Texts captured from the real tools on this machine (dnsperf 2.10.0, wrk; loaded machine). */
const DNSPERF = `DNS Performance Testing Tool
Version 2.10.0

[Status] Command line: dnsperf -s 10.255.54.1 -d /tmp/disco-cap-a4QQCN/names -l 1 -q 64 -c 1 -T 1
[Status] Sending queries (to 10.255.54.1:53)
[Status] Started at: Sun Nov 29 17:02:18 2026
[Status] Stopping after 1.000000 seconds
[Status] Testing complete (time limit)

Statistics:

  Queries sent:         14807
  Queries completed:    14807 (100.00%)
  Queries lost:         0 (0.00%)

  Response codes:       NOERROR 14807 (100.00%)
  Average packet size:  request 43, response 59
  Run time (s):         1.002470
  Queries per second:   14770.516823

  Average Latency (s):  0.003792 (min 0.000031, max 0.023257)
  Latency StdDev (s):   0.003773

`;

const WRK_KEEPALIVE = `Running 1s test @ http://127.0.0.1:8080/
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   103.47ms   67.88ms 355.77ms   72.55%
    Req/Sec    88.25     52.34   164.00     75.00%
  88 requests in 1.08s, 11.14KB read
  Non-2xx or 3xx responses: 29
Requests/sec:     81.58
Transfer/sec:     10.33KB
`;

const WRK_CLOSE = `Running 1s test @ http://127.0.0.1:8080/
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   249.28ms   93.92ms 415.57ms   64.52%
    Req/Sec   143.22     81.73   275.00     77.78%
  155 requests in 1.07s, 15.39KB read
  Non-2xx or 3xx responses: 52
Requests/sec:    145.04
Transfer/sec:     14.41KB
`;

test('dnsperf: the Statistics block, QPS as printed', () => {
  assert.deepEqual(parseDnsperf(DNSPERF), { qps: 14770.516823, sent: 14807, completed: 14807, lost: 0, runSeconds: 1.00247, avgLatencyMs: 3.792 });
});

test('dnsperf: no statistics (it failed) is a measurement error quoting its output', () => {
  assert.throws(() => parseDnsperf('[Fatal] Missing data file\n'), /Queries per second.*Missing data file/s);
});

test('wrk: Requests/sec, requests, Non-2xx counted as errors', () => {
  assert.deepEqual(parseWrk(WRK_KEEPALIVE), { rps: 81.58, errors: 29, requests: 88 });
  assert.deepEqual(parseWrk(WRK_CLOSE), { rps: 145.04, errors: 52, requests: 155 });
  assert.deepEqual(parseWrk(WRK_CLOSE.replace('  Non-2xx', '  Socket errors: connect 0, read 3, write 0, timeout 7\n  Non-2xx')).errors, 62);
});

test('child CPU from the waiting shell\'s /proc/self/stat: a busy loop costs CPU, a sleep almost none', async () => {
  const busy = await runWithCpu('sh', ['-c', 'i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'], {});
  assert.ok(busy.cpuMs >= 10, `busy loop ${busy.cpuMs} ms`);
  const idle = await runWithCpu('sleep', ['0.3'], {});
  assert.ok(idle.cpuMs < busy.cpuMs, `sleep ${idle.cpuMs} ms`);
  assert.ok(Number.isNaN(parseChildCpuMs('no stat line')));
});
