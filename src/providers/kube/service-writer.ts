import type { KubernetesObject } from '@kubernetes/client-node';
import { isProxied, serviceKey, type ClusterState, type Service } from '../../model/cluster.js';
import { mapLimit, withRetry } from './concurrency.js';
import type { KubeApi } from './kube-api.js';
import { endpointSliceObject, namespaceObject, serviceObject, type ObjectContext } from './objects.js';

/** API writes in flight: enough to create thousands of objects quickly, few enough not to be throttled. */
export const API_CONCURRENCY = 32;

/** Namespaces every API server has: never applied (or labelled as ours, which cleanup deletes). */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

interface Applied {
  fingerprint: string;
  objects: KubernetesObject[];
}

export interface WriteResult {
  changed: number;
  removed: number;
  /** changed or removed Services that the proxy programs (not ExternalName, not headless) */
  proxiedChanges: number;
  /** unix seconds when the last write was acknowledged */
  writtenAt: number;
}

/**
 * Makes the API hold the model's Services and EndpointSlices: server-side apply of what changed
 * since the last call (everything when `full`), deletion of what left the model, with bounded
 * concurrency and retries. Shared by every provider that has an API server (local real
 * components, kind, existing).
 */
export class ServiceWriter {
  private readonly applied = new Map<string, Applied>();
  private readonly namespaces = new Set<string>();

  constructor(private readonly o: { api: KubeApi; runId: string; createNamespaces: boolean }) {}

  async ensureNamespace(name: string): Promise<void> {
    if (this.namespaces.has(name) || SYSTEM_NAMESPACES.has(name)) return;
    await withRetry(() => this.o.api.apply(namespaceObject(name, this.o.runId)));
    this.namespaces.add(name);
  }

  async write(services: readonly Service[], ctx: ObjectContext, opts: { full: boolean }): Promise<WriteResult> {
    if (this.o.createNamespaces) {
      const fresh = [...new Set(services.map(ctx.namespaceOf))].filter((n) => !this.namespaces.has(n));
      await mapLimit(fresh, API_CONCURRENCY, (n) => this.ensureNamespace(n));
    }
    const desired = new Map<string, Applied>();
    for (const s of services) {
      const slice = endpointSliceObject(s, ctx);
      const objects = slice ? [serviceObject(s, ctx), slice] : [serviceObject(s, ctx)];
      desired.set(serviceKey(s), { objects, fingerprint: JSON.stringify(objects) });
    }
    const changed = [...desired].filter(([k, d]) => opts.full || this.applied.get(k)?.fingerprint !== d.fingerprint);
    const removed = [...this.applied].filter(([k]) => !desired.has(k));
    const changedKeys = new Set(changed.map(([k]) => k));
    const proxiedChanges = services.filter((s) => isProxied(s) && changedKeys.has(serviceKey(s))).length + removed.length;
    await mapLimit(changed, API_CONCURRENCY, async ([k, d]) => {
      for (const obj of d.objects) await withRetry(() => this.o.api.apply(obj));
      this.applied.set(k, d);
    });
    await mapLimit(removed, API_CONCURRENCY, async ([k, d]) => {
      for (const obj of [...d.objects].reverse()) await withRetry(() => this.o.api.remove(obj));
      this.applied.delete(k);
    });
    return { changed: changed.length, removed: removed.length, proxiedChanges, writtenAt: Date.now() / 1000 };
  }
}

/** Services of a state as the model lists them, for callers that write only some. */
export function servicesOf(state: ClusterState, keep: (s: Service) => boolean = () => true): Service[] {
  return state.services.filter(keep);
}
