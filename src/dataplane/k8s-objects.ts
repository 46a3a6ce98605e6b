import { parseAllDocuments } from 'yaml';
import { UsageError } from '../core/errors.js';
import { CLUSTER_DOMAIN } from '../model/addressing.js';
import type { ClusterState, Endpoint, Protocol, Service, ServicePort } from '../model/cluster.js';

/**
 * Reads ordinary Kubernetes YAML (Services and discovery.k8s.io/v1 EndpointSlices, as several
 * documents or a kind: List) into a ClusterState, so `discobench rules` shows what kube-proxy
 * would program for a real cluster's objects. Every problem is reported at once, each with the
 * file and the field path.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

interface SliceInfo {
  ports: { name: string; protocol: Protocol; port: number }[];
  endpoints: Endpoint[];
}

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly file: string) {}
  bad(path: string, what: string): void {
    this.problems.push(`${this.file}: ${path} ${what}`);
  }
  str(o: Obj, key: string, path: string, required: boolean): string | undefined {
    const v = o[key];
    if (v === undefined || v === null) {
      if (required) this.bad(`${path}.${key}`, 'is required');
      return undefined;
    }
    if (typeof v !== 'string' || v === '') {
      this.bad(`${path}.${key}`, 'must be a non-empty string');
      return undefined;
    }
    return v;
  }
  port(v: unknown, path: string): number | undefined {
    if (!Number.isInteger(v) || (v as number) < 1 || (v as number) > 65535) {
      this.bad(path, 'must be an integer port 1..65535');
      return undefined;
    }
    return v as number;
  }
  protocol(v: unknown, path: string): Protocol | undefined {
    if (v === undefined || v === null) return 'TCP';
    if (v === 'TCP' || v === 'UDP') return v;
    this.bad(path, 'must be TCP or UDP (SCTP is not supported)');
    return undefined;
  }
  list(o: Obj, key: string, path: string): unknown[] {
    const v = o[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.bad(`${path}.${key}`, 'must be a list');
      return [];
    }
    return v;
  }
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

function readService(r: Reader, o: Obj, path: string): (Service & { targetNames: (string | undefined)[] }) | undefined {
  const meta = isObj(o.metadata) ? o.metadata : (r.bad(`${path}.metadata`, 'is required'), {});
  const name = r.str(meta, 'name', `${path}.metadata`, true);
  const namespace = r.str(meta, 'namespace', `${path}.metadata`, false) ?? 'default';
  const spec = isObj(o.spec) ? o.spec : (r.bad(`${path}.spec`, 'is required'), {});
  const type = spec.type ?? 'ClusterIP';
  if (!['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'].includes(type as string)) {
    r.bad(`${path}.spec.type`, 'must be ClusterIP, NodePort, LoadBalancer or ExternalName');
  }
  const clusterIP = r.str(spec, 'clusterIP', `${path}.spec`, false) ?? '';
  if (clusterIP && clusterIP !== 'None' && !IPV4.test(clusterIP)) r.bad(`${path}.spec.clusterIP`, 'must be an IPv4 address or None');
  const ports: ServicePort[] = [];
  const targetNames: (string | undefined)[] = [];
  r.list(spec, 'ports', `${path}.spec`).forEach((p, i) => {
    const pp = `${path}.spec.ports[${i}]`;
    if (!isObj(p)) return r.bad(pp, 'must be a mapping');
    const port = r.port(p.port, `${pp}.port`);
    const protocol = r.protocol(p.protocol, `${pp}.protocol`);
    let targetPort = port;
    let targetName: string | undefined;
    if (typeof p.targetPort === 'string' && !/^\d+$/.test(p.targetPort)) targetName = p.targetPort;
    else if (p.targetPort !== undefined) targetPort = r.port(typeof p.targetPort === 'string' ? Number(p.targetPort) : p.targetPort, `${pp}.targetPort`);
    const portName = p.name === undefined ? '' : r.str(p, 'name', pp, false) ?? '';
    if (port !== undefined && protocol !== undefined && targetPort !== undefined) {
      ports.push({ name: portName, protocol, port, targetPort });
      targetNames.push(targetName);
    }
  });
  if (name === undefined) return undefined;
  if (type === 'ExternalName') {
    return { namespace, name, type: 'ExternalName', clusterIP: '', ports: [], endpoints: [], externalName: r.str(spec, 'externalName', `${path}.spec`, true), targetNames: [] };
  }
  return { namespace, name, type: 'ClusterIP', clusterIP, ports, endpoints: [], targetNames };
}

function readSlice(r: Reader, o: Obj, path: string): { key: string; slice: SliceInfo } | undefined {
  const meta = isObj(o.metadata) ? o.metadata : (r.bad(`${path}.metadata`, 'is required'), {});
  const namespace = r.str(meta, 'namespace', `${path}.metadata`, false) ?? 'default';
  const labels = isObj(meta.labels) ? meta.labels : {};
  const svcName = labels['kubernetes.io/service-name'];
  if (typeof svcName !== 'string' || !svcName) {
    r.bad(`${path}.metadata.labels["kubernetes.io/service-name"]`, 'is required (it names the Service the slice belongs to)');
    return undefined;
  }
  const addressType = o.addressType ?? 'IPv4';
  const slice: SliceInfo = { ports: [], endpoints: [] };
  r.list(o, 'ports', path).forEach((p, i) => {
    const pp = `${path}.ports[${i}]`;
    if (!isObj(p)) return r.bad(pp, 'must be a mapping');
    const port = r.port(p.port, `${pp}.port`);
    const protocol = r.protocol(p.protocol, `${pp}.protocol`);
    const name = p.name === undefined || p.name === null ? '' : r.str(p, 'name', pp, false) ?? '';
    if (port !== undefined && protocol !== undefined) slice.ports.push({ name, protocol, port });
  });
  r.list(o, 'endpoints', path).forEach((e, i) => {
    const ep = `${path}.endpoints[${i}]`;
    if (!isObj(e)) return r.bad(ep, 'must be a mapping');
    const conditions = isObj(e.conditions) ? e.conditions : {};
    // a nil ready condition means ready (discovery/v1)
    const ready = conditions.ready !== false;
    // serving defaults to ready, terminating to false (discovery/v1)
    const serving = typeof conditions.serving === 'boolean' ? conditions.serving : ready;
    const terminating = conditions.terminating === true;
    const hostname = typeof e.hostname === 'string' ? e.hostname : undefined;
    r.list(e, 'addresses', ep).forEach((a, k) => {
      if (addressType !== 'IPv4') return;
      if (typeof a !== 'string' || !IPV4.test(a)) return r.bad(`${ep}.addresses[${k}]`, 'must be an IPv4 address');
      slice.endpoints.push({ ip: a, ready, ...(terminating ? { serving, terminating } : {}), ...(hostname ? { hostname } : {}) });
    });
  });
  return { key: `${namespace}/${svcName}`, slice };
}

/** Parses the text of `file`; throws UsageError listing every problem. */
export function parseK8sObjects(text: string, file: string): ClusterState {
  const r = new Reader(file);
  const objects: { obj: Obj; path: string }[] = [];
  parseAllDocuments(text).forEach((doc, d) => {
    if (!('errors' in doc)) return;
    for (const e of doc.errors) r.problems.push(`${file}: document ${d + 1}: ${e.message.split('\n')[0]}`);
    if (doc.errors.length > 0) return;
    const v: unknown = doc.toJS();
    if (v === null || v === undefined) return;
    if (!isObj(v)) return r.bad(`documents[${d}]`, 'must be a Kubernetes object');
    if (v.kind === 'List') {
      if (!Array.isArray(v.items)) return r.bad(`documents[${d}].items`, 'must be a list');
      v.items.forEach((it, i) => (isObj(it) ? objects.push({ obj: it, path: `documents[${d}].items[${i}]` }) : r.bad(`documents[${d}].items[${i}]`, 'must be a Kubernetes object')));
    } else objects.push({ obj: v, path: `documents[${d}]` });
  });
  const services: (Service & { targetNames: (string | undefined)[] })[] = [];
  const slices = new Map<string, SliceInfo[]>();
  for (const { obj, path } of objects) {
    if (obj.kind === 'Service' && (obj.apiVersion ?? 'v1') === 'v1') {
      const s = readService(r, obj, path);
      if (s) services.push(s);
    } else if (obj.kind === 'EndpointSlice') {
      if (obj.apiVersion !== 'discovery.k8s.io/v1') {
        r.bad(`${path}.apiVersion`, 'must be discovery.k8s.io/v1 for an EndpointSlice');
        continue;
      }
      const s = readSlice(r, obj, path);
      if (s) slices.set(s.key, [...(slices.get(s.key) ?? []), s.slice]);
    }
    // other kinds (Deployments, Pods, ...) are not the data plane's business
  }
  if (r.problems.length > 0) {
    throw new UsageError(r.problems[0]!, 'fix the file: it must hold v1 Services and discovery.k8s.io/v1 EndpointSlices', r.problems);
  }
  const out: Service[] = services.map(({ targetNames, ...s }) => {
    const ss = slices.get(`${s.namespace}/${s.name}`) ?? [];
    const seen = new Set<string>();
    const endpoints: Endpoint[] = [];
    for (const sl of ss) for (const e of sl.endpoints) if (!seen.has(e.ip)) (seen.add(e.ip), endpoints.push(e));
    // the endpoint port kube-proxy uses is the slice's port of the same name and protocol
    const ports = s.ports.map((p, i) => {
      const sp = ss.flatMap((sl) => sl.ports).find((x) => x.name === p.name && x.protocol === p.protocol);
      return sp ? { ...p, targetPort: sp.port } : targetNames[i] ? { ...p, targetPort: p.port } : p;
    });
    return { ...s, ports, endpoints };
  });
  return { clusterDomain: CLUSTER_DOMAIN, services: out };
}
