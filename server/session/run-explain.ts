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

/** One sentence for the load failures a learner meets most. */
export function explainLoadFailure(err: RunnerCallError, sections: string[], kernel: { capabilities: Capability[]; memoryNote: string | null }): string {
  const { capabilities } = kernel;
  const log = `${err.libbpfLog ?? ''}\n${err.verifierLog ?? ''}`;
  const noMemory = /map '([^']+)': failed to create: [^\n]*\(-12\)/.exec(log);
  if (noMemory) {
    const where = kernel.memoryNote ? `; ${kernel.memoryNote}` : '';
    return `the kernel ran out of memory creating map ${noMemory[1]} (ENOMEM)${where}. Give it fewer max_entries, or a smaller value.`;
  }
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
