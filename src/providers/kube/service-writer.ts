import type { KubernetesObject } from '@kubernetes/client-node';
import { isProxied, serviceKey, type ClusterState, type Service } from '../../model/cluster.js';
import { MeasurementError } from '../../core/errors.js';
import { mapLimit, withRetry } from './concurrency.js';
import { apiStatus, type KubeApi } from './kube-api.js';
import { endpointSliceObject, namespaceObject, serviceObject, type ObjectContext } from './objects.js';

/** API writes in flight: enough to create thousands of objects quickly, few enough not to be throttled. */
export const API_CONCURRENCY = 32;

/**
 * A ClusterIP taken after up() listed the cluster's allocations (someone else's Service created
 * meanwhile) fails with 422 "provided IP is already allocated": not retryable, and worth saying
 * in plain words which address and Service.
 */
export function explainApplyError(err: unknown, obj: KubernetesObject): unknown {
  const body = String((err as { body?: unknown })?.body ?? (err as Error)?.message ?? '');
  if (apiStatus(err) === 422 && /already allocated/i.test(body)) {
    const ip = String((obj as { spec?: { clusterIP?: string } }).spec?.clusterIP ?? '?');
    return new MeasurementError(
      `ClusterIP ${ip} of Service ${obj.metadata?.namespace}/${obj.metadata?.name} is already allocated to another Service`,
      'a Service was created with a dynamic ClusterIP after the run listed the cluster\'s allocations; rerun (the next run skips it)',
    );
  }
  return err;
}

/** Namespaces every API server has: never applied (or labelled as ours, which cleanup deletes). */
const SYSTEM_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);

interface Applied {
  fingerprint: string;
  /** the EndpointSlice's alone: only a changed slice gets a new trigger time */
  sliceFingerprint?: string;
  /** the trigger time the slice was written with, kept on rewrites of an unchanged slice */
  stamp?: Date;
  objects: KubernetesObject[];
}

/**
 * What the EndpointSlice controller stamps on a slice it changes: when the change that caused
 * it happened. kube-proxy observes, per stamped slice change it programs, the time from that
 * stamp to its rules being in place (kubeproxy_network_programming_duration_seconds, the SLI
 * clusterloader2 reads), per IP family. The writer stamps the moment it writes a slice whose
 * endpoints changed, so that count says exactly when every written change is programmed.
 */
export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';

function stamped(slice: KubernetesObject, at: Date): KubernetesObject {
  const metadata = slice.metadata ?? {};
  return { ...slice, metadata: { ...metadata, annotations: { ...metadata.annotations, [TRIGGER_TIME_ANNOTATION]: at.toISOString() } } };
}

export interface WriteResult {
  changed: number;
  removed: number;
  /** the objects written and deleted */
  changedObjects: KubernetesObject[];
  removedObjects: KubernetesObject[];
  /** changed or removed Services that the proxy programs (not ExternalName, not headless) */
  proxiedChanges: number;
  /** EndpointSlices written with new endpoints and a trigger time: kube-proxy's network-programming observations to wait for */
  stampedSlices: number;
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
      desired.set(serviceKey(s), { objects, fingerprint: JSON.stringify(objects), ...(slice ? { sliceFingerprint: JSON.stringify(slice) } : {}) });
    }
    const changed = [...desired].filter(([k, d]) => opts.full || this.applied.get(k)?.fingerprint !== d.fingerprint);
    const removed = [...this.applied].filter(([k]) => !desired.has(k));
    const changedKeys = new Set(changed.map(([k]) => k));
    const proxiedChanges = services.filter((s) => isProxied(s) && changedKeys.has(serviceKey(s))).length + removed.length;
    let stampedSlices = 0;
    await mapLimit(changed, API_CONCURRENCY, async ([k, d]) => {
      const prev = this.applied.get(k);
      const sliceChanged = d.sliceFingerprint !== undefined && prev?.sliceFingerprint !== d.sliceFingerprint;
      // an unchanged slice keeps its stamp: without it, server-side apply would remove the
      // annotation, an update of every slice on each full rewrite
      d.stamp = sliceChanged ? new Date() : prev?.stamp;
      for (const obj of d.objects) {
        const out = obj.kind === 'EndpointSlice' && d.stamp ? stamped(obj, d.stamp) : obj;
        await withRetry(() => this.o.api.apply(out)).catch((err: unknown) => Promise.reject(explainApplyError(err, out)));
      }
      if (sliceChanged) stampedSlices++;
      this.applied.set(k, d);
    });
    await mapLimit(removed, API_CONCURRENCY, async ([k, d]) => {
      for (const obj of [...d.objects].reverse()) await withRetry(() => this.o.api.remove(obj));
      this.applied.delete(k);
    });
    return {
      changed: changed.length,
      removed: removed.length,
      changedObjects: changed.flatMap(([, d]) => d.objects),
      removedObjects: removed.flatMap(([, d]) => d.objects),
      proxiedChanges,
      stampedSlices,
      writtenAt: Date.now() / 1000,
    };
  }
}

/** Services of a state as the model lists them, for callers that write only some. */
export function servicesOf(state: ClusterState, keep: (s: Service) => boolean = () => true): Service[] {
  return state.services.filter(keep);
}
