import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { ClientNodeApi } from '../../../src/providers/kube/client-node-api.js';
import { namespaceObject } from '../../../src/providers/kube/objects.js';

/**
 * A minimal API server on 127.0.0.1: enough discovery for client-node's generic object client,
 * and records of every request, so the real client library's paths, verbs and content types are
 * checked (no cluster can run here).
 */
interface Seen { method: string; url: string; type?: string; auth?: string; body: string }
const seen: Seen[] = [];
let server: Server;
let api: ClientNodeApi;

const discovery: Record<string, unknown> = {
  '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [
    { name: 'namespaces', namespaced: false, kind: 'Namespace', verbs: ['create', 'delete', 'patch'] },
    { name: 'services', namespaced: true, kind: 'Service', verbs: ['create', 'delete', 'patch'] },
    { name: 'configmaps', namespaced: true, kind: 'ConfigMap', verbs: ['create', 'delete', 'patch'] },
  ] },
  '/apis/discovery.k8s.io/v1': { kind: 'APIResourceList', groupVersion: 'discovery.k8s.io/v1', resources: [
    { name: 'endpointslices', namespaced: true, kind: 'EndpointSlice', verbs: ['create', 'delete', 'patch'] },
  ] },
};

async function body(req: IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += c;
  return s;
}

before(async () => {
  server = createServer(async (req, res) => {
    const b = await body(req);
    seen.push({ method: req.method!, url: req.url!, type: req.headers['content-type'], auth: req.headers.authorization, body: b });
    const path = req.url!.split('?')[0]!;
    const json = (code: number, o: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(o));
    };
    if (req.method === 'GET' && discovery[path]) return json(200, discovery[path]);
    if (req.method === 'PATCH') return json(200, JSON.parse(b || '{}'));
    if (req.method === 'DELETE') return json(404, { kind: 'Status', code: 404, reason: 'NotFound' });
    if (req.method === 'GET' && path.includes('/proxy/')) {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      return res.end('kubeproxy_sync_proxy_rules_last_timestamp_seconds 1.7e+09\n');
    }
    if (req.method === 'GET' && path === '/api/v1/namespaces') return json(200, { kind: 'NamespaceList', items: [{ metadata: { name: 'discobench-r1' } }] });
    json(404, { kind: 'Status', code: 404 });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'kind-t', cluster: 'c', user: 'u' }],
    currentContext: 'kind-t',
  });
  api = new ClientNodeApi(kc);
});

after(() => new Promise<void>((r) => server.close(() => r())));

test('client-node: apply is a server-side apply PATCH with field manager discobench', async () => {
  assert.equal(api.context, 'kind-t');
  seen.length = 0;
  await api.apply({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc-1', namespace: 'bench-1' }, spec: { clusterIP: '10.96.1.1' } } as never);
  await api.apply({ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'svc-1-disco', namespace: 'bench-1' } } as never);
  const patches = seen.filter((s) => s.method === 'PATCH');
  assert.equal(patches.length, 2);
  assert.match(patches[0]!.url, /^\/api\/v1\/namespaces\/bench-1\/services\/svc-1\?/);
  assert.match(patches[0]!.url, /fieldManager=discobench/);
  assert.match(patches[0]!.url, /force=true/);
  assert.equal(patches[0]!.type, 'application/apply-patch+yaml');
  assert.equal(JSON.parse(patches[0]!.body).spec.clusterIP, '10.96.1.1');
  assert.match(patches[1]!.url, /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/bench-1\/endpointslices\/svc-1-disco\?/);
});

test('client-node: remove ignores 404; namespaces listed by label; metrics through the pod and node proxies', async () => {
  seen.length = 0;
  await api.remove(namespaceObject('discobench-r1', 'r1'));
  assert.ok(seen.some((s) => s.method === 'DELETE' && s.url.startsWith('/api/v1/namespaces/discobench-r1')));
  assert.deepEqual(await api.listNamespaces('app.kubernetes.io/managed-by=discobench'), ['discobench-r1']);
  assert.match(seen.at(-1)!.url, /labelSelector=app\.kubernetes\.io%2Fmanaged-by%3Ddiscobench/);
  const text = await api.proxyPod('kube-system', 'kube-proxy-x', 10249, 'metrics');
  assert.match(text, /kubeproxy_sync_proxy_rules_last_timestamp_seconds/);
  assert.match(seen.at(-1)!.url, /^\/api\/v1\/namespaces\/kube-system\/pods\/kube-proxy-x(:|%3A)10249\/proxy\/metrics$/);
  assert.equal(seen.at(-1)!.auth, 'Bearer t', 'the kubeconfig credentials go along');
  await api.proxyNode('n1', 'metrics/resource');
  assert.match(seen.at(-1)!.url, /^\/api\/v1\/nodes\/n1\/proxy\/metrics\/resource$/);
});
