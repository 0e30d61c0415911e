// What a Run says when the kernel refuses its object: the verifier's verdict on the C line,
// a map the kernel would not create, or a kind of program this kernel does not take. Pure functions.
import type { Capability, Diagnostic, PerfEventName, PlaygroundError, VerifierExplanation } from '../../protocol/messages.ts';
import { explainMissingCapability } from '../host/capability-notes.ts';
import type { RunnerCallError } from '../runner/runner.ts';
import { explainVerifierLog } from '../verifier/explain.ts';

export interface LoadFailureContext {
  /** The stage that failed: opening the object, or loading it (where the verifier speaks). */
  stage: 'open' | 'load';
  mainFile: string;
  files: string[];
  sections: string[];
  kernel: { capabilities: Capability[]; memoryNote: string | null };
  maps: { name: string; typeName: string; valueSize: number }[];
  verifierLogBytes: number;
}

export interface LoadFailure {
  verifierLog: string | null;
  libbpfLog: string;
  explanation?: VerifierExplanation;
  diagnostics: Diagnostic[];
  error: PlaygroundError;
}

/** What the page is told of a failed open or load: the logs, the explanation on the C line, and one sentence. */
export function describeLoadFailure(err: RunnerCallError, context: LoadFailureContext): LoadFailure {
  const logs = { verifierLog: err.verifierLog ? clipLog(err.verifierLog, context.verifierLogBytes) : null, libbpfLog: err.libbpfLog ?? '' };
  // A map the kernel would not create fails the load before any program is verified.
  const mapProblem = explainMapFailure(err, context);
  if (mapProblem) return { ...logs, diagnostics: [], error: { code: 'load_failed', message: mapProblem } };
  // EPERM and friends are the kernel refusing the kind of program, not the verifier judging its code;
  // and the kernel's log buffer also takes its BTF check ("magic: 0xeb9f …"), which is no verdict.
  // Linux 6.12 answers EFAULT for some rejections whose log filled the buffer (measured: a loop the
  // verifier gave up on), with the verdict whole at the log's end: its `processed N insns` line says so.
  const verdictLogged = err.code === 'EFAULT' && /^processed \d+ insns/m.test(err.verifierLog ?? '');
  const judged =
    context.stage === 'load' &&
    err.verifierLog &&
    !err.verifierLog.startsWith('magic: 0xeb9f') &&
    (['EACCES', 'EINVAL', 'E2BIG', 'ENOSPC'].includes(err.code) || verdictLogged);
  if (judged) {
    const { explanation, diagnostics } = explainVerifierLog(err.verifierLog!, { mainFile: context.mainFile, files: context.files });
    if (explanation) {
      const where = explanation.line ? ` (${explanation.file}:${explanation.line})` : '';
      // A summary that is already the whole sentence ("The verifier rejected the program: …") is not prefixed again.
      const summary = explanation.summary.replace(/^The verifier rejected the program: /, '');
      return {
        ...logs,
        explanation,
        diagnostics,
        error: { code: 'verifier_rejected', message: `The verifier rejected the program${where}: ${summary}` },
      };
    }
  }
  if (context.stage === 'open') {
    return { ...logs, diagnostics: [], error: { code: 'load_failed', message: `libbpf could not open the object: ${explainOpenFailure(err)}` } };
  }
  return {
    ...logs,
    diagnostics: [],
    error: {
      code: judged ? 'verifier_rejected' : 'load_failed',
      message: `The kernel refused to load the program: ${explainLoadFailure(err, context.sections, context.kernel)}`,
    },
  };
}

/** libbpf's open reads only the object: what it says is about the object's ELF and BTF, never the verifier's verdict. */
export function explainOpenFailure(err: RunnerCallError): string {
  const log = err.libbpfLog ?? '';
  const sizeless = /map '([^']+)': can't determine (key|value) size for type \[\d+\]/.exec(log);
  if (sizeless) {
    return `map ${sizeless[1]}'s ${sizeless[2]} type has no size: it names a struct that is only declared (forward-declared), not defined; define the struct with its fields before the map, or include the header that does.`;
  }
  const legacy = /legacy map definitions in 'maps' section are not supported/.exec(log);
  if (legacy) return LEGACY_MAPS;
  const last = log
    .split('\n')
    .map((l) => l.replace(/^libbpf: /, '').trim())
    .filter(Boolean)
    .at(-1);
  return last ? `${last.replace(/\.$/, '')} (${err.code}).` : `${err.message} (${err.code}).`;
}

/** A SEC("maps") struct bpf_map_def: the pre-BTF syntax that libbpf 1.0 removed. */
export const LEGACY_MAPS =
  'this map is defined the old way, struct bpf_map_def in SEC("maps"), which libbpf 1.0 removed; define it as a BTF map in SEC(".maps") with __uint(type, …), __uint(max_entries, …), __type(key, …) and __type(value, …).';

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

/** The load failures a learner meets most, as a clause after "The kernel refused to load the program:". */
export function explainLoadFailure(err: RunnerCallError, sections: string[], kernel: { capabilities: Capability[] }): string {
  const { capabilities } = kernel;
  const log = `${err.libbpfLog ?? ''}\n${err.verifierLog ?? ''}`;
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

/** A whole sentence when the kernel refused to create a map: its definition, not any program, failed. Null otherwise. */
export function explainMapFailure(err: RunnerCallError, context: Pick<LoadFailureContext, 'kernel' | 'maps'>): string | null {
  const failed = MAP_CREATE_FAILED.exec(`${err.libbpfLog ?? ''}\n${err.verifierLog ?? ''}`);
  if (!failed) return null;
  const name = failed[1]!;
  const errno = Number(failed[2]);
  const map = context.maps.find((m) => m.name === name);
  const memoryNote = context.kernel.memoryNote;
  if (errno === -12) {
    const where = memoryNote ? `; ${memoryNote}` : '';
    return `The kernel ran out of memory creating map ${name} (ENOMEM)${where}. Give it fewer max_entries, or a smaller value.`;
  }
  if (map?.typeName === 'stack_trace' && map.valueSize === 0) {
    return `The kernel refused to create map ${name}: a stack_trace map needs a value_size, room for the frames of one stack, such as __uint(value_size, 127 * sizeof(__u64)).`;
  }
  // libbpf prints the negative errno; the call's own code names the same errno, when it is this call's.
  const code = err.errno === -errno || err.errno === errno ? err.code : `errno ${-errno}`;
  return `The kernel refused to create map ${name} (${code}): check its type, key and value sizes, and max_entries.`;
}

/** Why a program did not attach, as a clause (no final stop: it is quoted inside sentences). */
export function explainAttachFailure(section: string, result: { code?: string; message?: string }, perfEvent: PerfEventName = 'cpu-clock'): string {
  const missing = result.code === 'ENOENT' || result.code === 'EOPNOTSUPP' || result.code === 'ENODEV';
  if (section === 'perf_event' && perfEvent !== 'cpu-clock' && missing) {
    return `${perfEvent} is a hardware counter, and this machine has none to give (a VM often has no PMU): choose cpu-clock, the software clock, to sample here`;
  }
  if (/^(uprobe|uretprobe|usdt)/.test(section) && result.code === 'ENOENT') {
    return `the binary, or the function or probe in it, is not there (${result.message ?? 'not found'})`;
  }
  if (/^k(ret)?probe\/|^ksyscall\//.test(section) && (result.code === 'ENOENT' || result.code === 'EOPNOTSUPP' || result.code === 'ENODEV')) {
    return 'this kernel has no kprobes (CONFIG_KPROBES is off), so use a tracepoint, raw_tp or tp_btf instead';
  }
  if (result.code === 'EOPNOTSUPP' || result.code === 'ESRCH') {
    return `libbpf cannot attach a "${section}" program by itself, it needs a target (an interface, a socket or a perf event)`;
  }
  return `${result.message ?? 'attach failed'} (${result.code ?? 'error'})`;
}
