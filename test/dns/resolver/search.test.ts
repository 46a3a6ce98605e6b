import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResolvConf, renderResolvConf } from '../../../src/dns/resolver/conf.js';
import { glibcCandidates, muslCandidates, SearchWalk } from '../../../src/dns/resolver/search.js';

const SEARCH = ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'];
const conf = (ndots: number, extra: Partial<{ noTldQuery: boolean; search: string[] }> = {}) => ({ ndots, search: extra.search ?? SEARCH, noTldQuery: extra.noTldQuery ?? false });
const names = (c: { name: string }[]) => c.map((x) => x.name);

test('glibc: short name at ndots 5 walks the search list, then the name as-is', () => {
  assert.deepEqual(names(glibcCandidates('svc-1', conf(5))), [
    'svc-1.default.svc.cluster.local', 'svc-1.svc.cluster.local', 'svc-1.cluster.local', 'svc-1',
  ]);
});

test('glibc: external name with 2 dots at ndots 5: search first; at ndots 2 and 1: as-is first', () => {
  assert.deepEqual(names(glibcCandidates('api-1.example.com', conf(5))), [
    'api-1.example.com.default.svc.cluster.local', 'api-1.example.com.svc.cluster.local', 'api-1.example.com.cluster.local', 'api-1.example.com',
  ]);
  for (const nd of [2, 1]) {
    assert.deepEqual(names(glibcCandidates('api-1.example.com', conf(nd))), [
      'api-1.example.com', 'api-1.example.com.default.svc.cluster.local', 'api-1.example.com.svc.cluster.local', 'api-1.example.com.cluster.local',
    ]);
  }
});

test('glibc: trailing dot is one query, and the trailing dot counts as a dot', () => {
  assert.deepEqual(glibcCandidates('svc-1.bench-0.svc.cluster.local.', conf(5)), [{ name: 'svc-1.bench-0.svc.cluster.local', role: 'as-is-first' }]);
  assert.deepEqual(names(glibcCandidates('svc.', conf(5))), ['svc']);
});

test('glibc: no-tld-query drops the bare single-label query; a root entry in the list replaces the as-is query', () => {
  assert.deepEqual(names(glibcCandidates('svc-1', conf(5, { noTldQuery: true }))), ['svc-1.default.svc.cluster.local', 'svc-1.svc.cluster.local', 'svc-1.cluster.local']);
  assert.deepEqual(names(glibcCandidates('a.b', conf(5, { noTldQuery: true }))).at(-1), 'a.b');
  assert.deepEqual(names(glibcCandidates('x.y', conf(3, { search: ['.', 'default.svc.cluster.local'] }))), ['x.y', 'x.y.default.svc.cluster.local']);
});

test('musl: searches only when dots < ndots, never tries the name first', () => {
  assert.deepEqual(names(muslCandidates('svc-1', conf(5))), ['svc-1.default.svc.cluster.local', 'svc-1.svc.cluster.local', 'svc-1.cluster.local', 'svc-1']);
  assert.deepEqual(names(muslCandidates('api-1.example.com', conf(2))), ['api-1.example.com']);
  assert.deepEqual(names(muslCandidates('svc-1.bench-0', conf(2))), ['svc-1.bench-0.default.svc.cluster.local', 'svc-1.bench-0.svc.cluster.local', 'svc-1.bench-0.cluster.local', 'svc-1.bench-0']);
  assert.deepEqual(names(muslCandidates('svc-1.', conf(5))), ['svc-1']);
});

test('glibc walk: NODATA keeps searching, SERVFAIL keeps searching, a timeout stops the search but not the final as-is query', () => {
  const list = glibcCandidates('svc-1', conf(5));
  const w = new SearchWalk('glibc', list);
  assert.equal(w.next(0, { status: 'NO_DATA' }), 1);
  assert.equal(w.next(1, { status: 'TRY_AGAIN', firstRcode: 2 }), 2);
  const w2 = new SearchWalk('glibc', list);
  assert.equal(w2.next(0, { status: 'TRY_AGAIN', firstRcode: 3 }), 3);
  assert.equal(w2.next(3, { status: 'HOST_NOT_FOUND' }), 'HOST_NOT_FOUND');
  // a NODATA seen during the search is what the lookup reports in the end
  const w3 = new SearchWalk('glibc', list);
  w3.next(0, { status: 'NO_DATA' });
  w3.next(1, { status: 'HOST_NOT_FOUND' });
  w3.next(2, { status: 'HOST_NOT_FOUND' });
  assert.equal(w3.next(3, { status: 'HOST_NOT_FOUND' }), 'NO_DATA');
});

test('musl walk: NODATA ends the lookup', () => {
  const w = new SearchWalk('musl', muslCandidates('svc-1', conf(5)));
  assert.equal(w.next(0, { status: 'HOST_NOT_FOUND' }), 1);
  assert.equal(w.next(1, { status: 'NO_DATA' }), 'NO_DATA');
});

test('resolv.conf: glibc defaults, caps, last search/domain wins, options', () => {
  const c = parseResolvConf('nameserver 10.96.0.10\nnameserver 1.1.1.1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\ndomain a.b\nsearch x.y z\noptions ndots:20 timeout:2 attempts:9 single-request rotate\n', { hostname: 'h' });
  assert.deepEqual(c.nameservers, ['10.96.0.10', '1.1.1.1', '2.2.2.2']);
  assert.deepEqual(c.search, ['x.y', 'z']);
  assert.equal(c.ndots, 15);
  assert.equal(c.timeout, 2);
  assert.equal(c.attempts, 5);
  assert.ok(c.singleRequest && c.rotate);
  const d = parseResolvConf('nameserver 10.0.0.1\n', { hostname: 'node1.example.org' });
  assert.deepEqual([d.ndots, d.timeout, d.attempts, d.search], [1, 5, 2, ['example.org']]);
  assert.equal(renderResolvConf(c), 'nameserver 10.96.0.10\nnameserver 1.1.1.1\nnameserver 2.2.2.2\nsearch x.y z\noptions ndots:15 timeout:2 attempts:5 rotate single-request\n');
});
