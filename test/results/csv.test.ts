import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricsCsv, timeseriesCsv } from '../../src/results/exporters/csv.js';
import type { RunResult } from '../../src/results/model.js';

const run: RunResult = {
  schemaVersion: 1, runId: 'abcd1234', scenario: { name: 'x', description: '' }, provider: 'local', status: 'completed',
  startedAt: '2026-01-01T00:00:00.000Z', environment: { kernel: 'k', cpus: 2, memory: 1, node: 'v20', tools: {} },
  variants: [{
    id: 'proxy=iptables', params: { 'cluster.proxy': 'iptables' }, repeat: 1, status: 'completed', errors: [], startedAt: '', finishedAt: '',
    metrics: {
      'tcp.connect.latency': { unit: 'ms', count: 3, min: 0.1, mean: 0.2, p50: 0.2, p90: 0.3, p99: 0.3, p999: 0.3, max: 0.3, value: 0.2, hdr: 'x' },
      'proxy.rules': { unit: 'count', count: 1, min: 812, mean: 812, p50: 812, p90: 812, p99: 812, p999: 812, max: 812, value: 812 },
    },
    series: { 'dns.server.cpu': [[0.5, 0.25], [1, 0.5]] },
  }],
};

test('metrics.csv has one row per variant and metric with params as dotted columns', () => {
  assert.equal(metricsCsv(run), [
    'run_id,scenario,variant,repeat,status,cluster.proxy,metric,unit,count,min,mean,p50,p90,p99,p999,max,value',
    'abcd1234,x,proxy=iptables,1,completed,iptables,tcp.connect.latency,ms,3,0.1,0.2,0.2,0.3,0.3,0.3,0.3,0.2',
    'abcd1234,x,proxy=iptables,1,completed,iptables,proxy.rules,count,1,812,812,812,812,812,812,812,812',
    '',
  ].join('\n'));
});

test('timeseries.csv has one row per point', () => {
  assert.equal(timeseriesCsv(run), 'run_id,variant,metric,t_seconds,value\nabcd1234,proxy=iptables,dns.server.cpu,0.5,0.25\nabcd1234,proxy=iptables,dns.server.cpu,1,0.5\n');
});
