// What a run says to the user about failures, and small helpers it shares: pure functions.
import type { Capability } from '../../protocol/messages.ts';
import { explainMissingCapability } from '../host/capabilities.ts';
import { RunnerCallError } from '../runner/runner.ts';

/**
 * A log longer than the limit keeps its start (what was loaded) and its end
 * (where and why it failed), and says how much of the middle is left out.
 */
export function clipLog(log: string, maxBytes: number): string {
  if (log.length <= maxBytes) return log;
  const head = Math.floor(maxBytes / 16);
  const tail = maxBytes - head;
  const cut = log.length - head - tail;
  return `${log.slice(0, head)}\n… ${cut.toLocaleString('en-US')} characters of the log are left out here …\n${log.slice(-tail)}`;
}

/** The codec's clause as a sentence: it leaves the full stop to whoever shows it. */
export function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function describeBpfError(error: unknown): string {
  if (error instanceof RunnerCallError) return `${error.message} (${error.code}).`;
  return (error as Error).message;
}

/**
 * One sentence for the load failures a learner meets most: a clause after "The kernel refused to
 * load the program:", or, when a map could not be created (no program was loaded), a whole sentence.
 */
export function explainLoadFailure(
  err: RunnerCallError,
  sections: string[],
  kernel: { capabilities: Capability[]; memoryNote: string | null },
  maps: { name: string; typeName: string; valueSize: number }[] = [],
): string {
  const { capabilities } = kernel;
  const log = `${err.libbpfLog ?? ''}\n${err.verifierLog ?? ''}`;
  const mapFailed = MAP_CREATE_FAILED.exec(log);
  if (mapFailed) return explainMapCreation(mapFailed[1]!, Number(mapFailed[2]), kernel.memoryNote, maps.find((m) => m.name === mapFailed[1]));
  const missing = /failed to find kernel BTF type ID of '([^']+)'/.exec(log);
  if (missing) return `this kernel has no function named ${missing[1]} to attach to.`;
  for (const section of sections) {
    const missing = explainMissingCapability(section, capabilities);
    if (missing) return missing;
  }
  const trampoline = sections.find((s) => /^(fentry|fexit|fmod_ret|lsm)(\.s)?\//.test(s));
  if (err.code === 'EPERM' && trampoline) {
    return `this kernel refuses SEC("${trampoline}") programs (fentry, fexit and lsm need the BPF trampoline, which is not allowed here); use a tracepoint or tp_btf instead.`;
  }
  if (/bpf_probe_write_user/.test(log)) return 'bpf_probe_write_user is refused while the kernel is locked down.';
  if (err.code === 'EACCES' || err.code === 'EINVAL') return `the verifier rejected it (${err.code}).`;
  return `${err.message} (${err.code ?? 'error'}).`;
}

/** libbpf's line when the kernel refuses a map: its name and the negative errno. */
export const MAP_CREATE_FAILED = /map '([^']+)': failed to create: [^\n]*\((-\d+)\)/;

/** The kernel refused to create a map: it is the map's definition, not any program, that failed. */
function explainMapCreation(name: string, errno: number, memoryNote: string | null, map: { typeName: string; valueSize: number } | undefined): string {
  if (errno === -12) {
    const where = memoryNote ? `; ${memoryNote}` : '';
    return `The kernel ran out of memory creating map ${name} (ENOMEM)${where}. Give it fewer max_entries, or a smaller value.`;
  }
  if (map?.typeName === 'stack_trace' && map.valueSize === 0) {
    return `The kernel refused to create map ${name}: a stack_trace map needs a value_size, room for the frames of one stack, such as __uint(value_size, 127 * sizeof(__u64)).`;
  }
  const code = errno === -22 ? 'EINVAL' : errno === -1 ? 'EPERM' : errno === -7 ? 'E2BIG' : errno === -95 ? 'EOPNOTSUPP' : `errno ${-errno}`;
  return `The kernel refused to create map ${name} (${code}): check its type, key and value sizes, and max_entries.`;
}

/** Why a program did not attach, as a clause (no final stop: it is quoted inside sentences). */
export function explainAttachFailure(section: string, result: { code?: string; message?: string }): string {
  if (/^k(ret)?probe\/|^ksyscall\//.test(section) && (result.code === 'ENOENT' || result.code === 'EOPNOTSUPP' || result.code === 'ENODEV')) {
    return 'this kernel has no kprobes (CONFIG_KPROBES is off), so use a tracepoint, raw_tp or tp_btf instead';
  }
  if (result.code === 'EOPNOTSUPP' || result.code === 'ESRCH') {
    return `libbpf cannot attach a "${section}" program by itself, it needs a target (an interface, a socket or a perf event)`;
  }
  return `${result.message ?? 'attach failed'} (${result.code ?? 'error'})`;
}

/** The value with the trace tag taken off the front of every string in it. */
export function withoutTag(value: unknown, tag: string): unknown {
  if (typeof value === 'string') return value.startsWith(tag) ? value.slice(tag.length) : value;
  if (Array.isArray(value)) return value.map((v) => withoutTag(v, tag));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTag(v, tag)]));
  return value;
}

export function partition<T>(items: T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}
