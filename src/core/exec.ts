import { execa, type ResultPromise } from 'execa';
import { PrerequisiteError, DiscoError } from './errors.js';

/** Debian package that provides each external tool, for "missing tool" messages. */
export const TOOL_PACKAGES: Record<string, string> = {
  ip: 'iproute2', ss: 'iproute2', iptables: 'iptables', 'iptables-restore': 'iptables',
  'iptables-legacy': 'iptables', 'iptables-nft': 'iptables', 'iptables-save': 'iptables',
  nft: 'nftables', ipset: 'ipset', ipvsadm: 'ipvsadm', conntrack: 'conntrack',
  unbound: 'unbound', 'unbound-control': 'unbound', nginx: 'nginx-light', dig: 'dnsutils',
  dnsperf: 'dnsperf', wrk: 'wrk', chromium: 'chromium', tcpdump: 'tcpdump',
  docker: 'docker.io',
};

/**
 * Tools that are not Debian packages (kind, helm) or whose Debian package is far too old to talk
 * to a current cluster (kubectl: bookworm's kubernetes-client is 1.20): their install pages.
 */
export const TOOL_INSTALL_PAGES: Record<string, string> = {
  kind: 'https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  kubectl: 'https://kubernetes.io/docs/tasks/tools/',
  helm: 'https://helm.sh/docs/intro/install/',
};

/** How to get a missing tool: its install page, else the Debian package that provides it. */
export function installHint(name: string): string {
  const page = TOOL_INSTALL_PAGES[name];
  return page ? `install ${name}: ${page}` : `apt-get install ${TOOL_PACKAGES[name] ?? name}`;
}

/** A command that exited non-zero; its stderr is kept in the message. */
export class CommandError extends DiscoError {
  constructor(readonly command: string, readonly exit: number | undefined, readonly stderr: string) {
    super(`${command} failed (exit ${exit ?? 'signal'}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
  }
}

export interface RunOptions {
  /** run inside this network namespace (ip netns exec) */
  netns?: string;
  input?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  /** throw CommandError on non-zero exit (default true) */
  reject?: boolean;
}

export interface RunResultText {
  stdout: string;
  stderr: string;
  exitCode: number;
}

function wrap(file: string, args: readonly string[], netns?: string): [string, string[]] {
  return netns ? ['ip', ['netns', 'exec', netns, file, ...args]] : [file, [...args]];
}

/** Runs a tool with arguments as an array (never a shell string). */
export async function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResultText> {
  const [f, a] = wrap(file, args, opts.netns);
  const res = await execa(f, a, {
    input: opts.input,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 512 * 1024 * 1024,
  });
  const out = { stdout: String(res.stdout ?? ''), stderr: String(res.stderr ?? ''), exitCode: res.exitCode ?? -1 };
  if ((res.failed || out.exitCode !== 0) && opts.reject !== false) {
    if ((res as { code?: string }).code === 'ENOENT') throw missingTool(file);
    throw new CommandError([file, ...args].join(' ').slice(0, 200), res.exitCode, out.stderr || String(res.message ?? ''));
  }
  return out;
}

export interface SpawnOptions {
  netns?: string;
  /** own process group, so a Ctrl-C at the terminal reaches only us, and cleanup can kill it */
  detached?: boolean;
  cwd?: string;
}

/** Starts a long-running process (servers); the caller owns its life. */
export function spawnProcess(file: string, args: readonly string[], opts: SpawnOptions = {}): ResultPromise {
  const [f, a] = wrap(file, args, opts.netns);
  return execa(f, a, { reject: false, detached: opts.detached ?? true, cwd: opts.cwd, buffer: false, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', cleanup: true });
}

const toolCache = new Map<string, boolean>();

export async function haveTool(name: string): Promise<boolean> {
  const cached = toolCache.get(name);
  if (cached !== undefined) return cached;
  const res = await execa('sh', ['-c', 'command -v "$1"', 'sh', name], { reject: false });
  const ok = res.exitCode === 0;
  toolCache.set(name, ok);
  return ok;
}

export function missingTool(name: string): PrerequisiteError {
  return new PrerequisiteError(`${name} not found`, TOOL_INSTALL_PAGES[name] ? installHint(name) : `install it: ${installHint(name)} (or run: npm run setup)`);
}

export async function requireTools(names: readonly string[]): Promise<void> {
  for (const name of names) if (!(await haveTool(name))) throw missingTool(name);
}

/** Whether a process with this pid exists (signal 0: nothing is sent; EPERM means it exists but is not ours). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
