import { addIp } from '../../model/addressing.js';

/**
 * Addresses of the local topology, all inside the pod CIDR 10.244.0.0/16 and only ever
 * configured inside our namespaces. Endpoint IPs (10.244.64.0/18) are split into /22 blocks
 * routed round-robin to the backend namespaces, which accept them all (AnyIP local routes).
 */
export const NODE_GATEWAY = '10.244.0.1';
export const clientIP = (k: number) => addIp('10.244.0.10', k);
export const dnsPodIP = (k: number) => addIp('10.244.0.40', k);
export const UPSTREAM_IP = '10.244.0.60';
export const backendIP = (k: number) => addIp('10.244.0.70', k);
export const ENDPOINT_BLOCKS = Array.from({ length: 16 }, (_, b) => `${addIp('10.244.64.0', b * 1024)}/22`);
export const ENDPOINT_SUPERNET = '10.244.64.0/18';
export const BACKEND_PORT = 8080;
