// What the capability probe found, said for a learner: one sentence per program kind that
// does not load or attach here, with what to use instead, and the note for a user's SEC().
import type { Capability } from '../../protocol/messages.ts';
import { capitalize } from '../text.ts';
import { KPROBE_TARGET, LSM_HOOK, type HostFacts } from './kernel-facts.ts';

export type Kind = 'tracepoint' | 'raw_tp' | 'tp_btf' | 'kprobe' | 'uprobe' | 'fentry' | 'lsm' | 'iter' | 'xdp' | 'socket' | 'perf_event';

/** What one probe did. */
export interface ProbeOutcome {
  kind: Kind;
  section: string;
  type: string;
  loads: boolean;
  /** null for kinds the playground does not attach, or when the program did not load. */
  attaches: boolean | null;
  /** Set when something did not work: where, and what libbpf and the kernel said. */
  failure?: {
    stage: 'compile' | 'open' | 'load' | 'attach' | 'runner';
    errno: number;
    code: string;
    message: string;
    /** libbpf's messages and the verifier log. */
    log: string;
  };
}

/** Where a learner can go instead, in order of preference; only kinds that work here are offered. */
const INSTEAD: Partial<Record<Kind, [Kind, string][]>> = {
  kprobe: [
    ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'],
    ['fentry', `fentry/${KPROBE_TARGET}`],
    ['raw_tp', 'raw_tp/sys_enter'],
  ],
  fentry: [
    ['tp_btf', 'tp_btf/sys_enter'],
    ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'],
    ['kprobe', `kprobe/${KPROBE_TARGET}`],
  ],
  lsm: [
    ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'],
    ['fentry', `fentry/security_${LSM_HOOK}`],
  ],
  tp_btf: [
    ['raw_tp', 'raw_tp/sys_enter'],
    ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'],
  ],
  raw_tp: [
    ['tracepoint', 'tracepoint/syscalls/sys_enter_openat'],
    ['tp_btf', 'tp_btf/sys_enter'],
  ],
  tracepoint: [
    ['raw_tp', 'raw_tp/sys_enter'],
    ['tp_btf', 'tp_btf/sys_enter'],
  ],
};

const LABEL: Record<Kind, string> = {
  tracepoint: 'tracepoint programs',
  raw_tp: 'raw tracepoint programs',
  tp_btf: 'BTF tracepoint (tp_btf) programs',
  kprobe: 'kprobes',
  uprobe: 'uprobes',
  fentry: 'fentry and fexit programs',
  lsm: 'LSM programs',
  iter: 'iterator programs',
  xdp: 'xdp programs',
  socket: 'socket filter programs',
  perf_event: 'perf_event programs',
};

const works = (o: ProbeOutcome) => o.loads && o.attaches !== false;

function suggestion(kind: Kind, outcomes: ProbeOutcome[]): string {
  const options = (INSTEAD[kind] ?? []).filter(([k]) => outcomes.some((o) => o.kind === k && works(o))).slice(0, 2);
  if (!options.length) return '';
  const [first, second] = options;
  const name = (k: Kind, section: string) => (k === 'tracepoint' ? `a tracepoint such as ${section}` : section);
  return `; try ${name(...first!)}${second ? ` or ${name(...second)}` : ''} instead`;
}

/** A kernel errno in words a learner can follow. */
function plainError(code: string, message: string): string {
  switch (code) {
    case 'EPERM':
    case 'EACCES':
      return 'the kernel refused them (permission denied, even to root)';
    case 'EINVAL':
      return 'the kernel does not accept them (invalid argument)';
    case 'ENOTSUPP':
    case 'EOPNOTSUPP':
      return 'this kernel does not support them';
    case 'ENOENT':
      return 'something they need is missing from this kernel (no such file or directory)';
    default:
      return message.replace(/^(load|attach) failed: /, '').replace(/\.$/, '') || code;
  }
}

/**
 * One sentence saying why a kind does not work here, or what the playground
 * does with kinds it never attaches; undefined when it simply works. Derived
 * from the errno and libbpf's log where they say more than the kind does.
 */
export function noteFor(outcome: ProbeOutcome, outcomes: ProbeOutcome[], facts: HostFacts): string | undefined {
  const { kind, failure } = outcome;
  const label = LABEL[kind];
  const instead = suggestion(kind, outcomes);
  const trampolineRefused = (o: ProbeOutcome | undefined) =>
    o?.failure?.stage === 'load' && ['EPERM', 'ENOTSUPP', 'EOPNOTSUPP'].includes(o.failure.code) && !/find kernel BTF type ID/.test(o.failure.log);

  if (!failure) {
    switch (kind) {
      case 'xdp':
        return 'xdp programs need a network interface to attach to; the playground does not attach them.';
      case 'socket':
        return 'socket filter programs need a socket to attach to; the playground does not attach them.';
      case 'iter':
        return 'iterator programs are read (each read runs the program once per item), not attached; the playground does not read them.';
      default:
        return undefined;
    }
  }
  const missingFunction = /failed to find kernel BTF type ID of '([^']+)'/.exec(failure.log)?.[1];
  switch (failure.stage) {
    case 'compile':
      return `The playground could not compile its test program for ${label}, so whether they work here is unknown: ${failure.message}`;
    case 'runner':
      return `The loader process failed while trying ${label}, so whether they work here is unknown (${failure.message}).`;
    case 'open':
      return `libbpf could not open the test program for ${label} (${failure.message}), so whether they work here is unknown.`;
    default:
      break;
  }
  if (missingFunction) {
    return `${capitalize(label)} could not be tried: the function ${missingFunction} is not in this kernel's BTF${instead}.`;
  }
  if (failure.stage === 'load') {
    if (kind === 'fentry' && trampolineRefused(outcome)) {
      return `fentry and fexit programs are refused here (the kernel does not allow the BPF trampoline they need)${instead}.`;
    }
    if (kind === 'lsm') {
      if (facts.lsms && !facts.lsms.includes('bpf')) {
        return `LSM programs do not load here: the BPF LSM is not active (the kernel's lsm= boot list is ${facts.lsms.join(',')}, without bpf)${instead}.`;
      }
      if (trampolineRefused(outcome) && trampolineRefused(outcomes.find((o) => o.kind === 'fentry'))) {
        return `LSM programs are refused here (the kernel does not allow the BPF trampoline they need)${instead}.`;
      }
    }
    return `${capitalize(label)} do not load here: ${plainError(failure.code, failure.message)}${instead}.`;
  }
  // Attach failures.
  if (kind === 'kprobe' && !facts.kprobes) {
    return `kprobes are not available on this kernel (CONFIG_KPROBES is off)${instead}.`;
  }
  if (kind === 'kprobe' && failure.code === 'ENOENT' && !facts.kprobeTargetExists) {
    return `kprobes could not be tried: the function ${KPROBE_TARGET} is not in this kernel${instead}.`;
  }
  if (kind === 'uprobe' && !facts.uprobes) {
    return 'uprobes are not available on this kernel (CONFIG_UPROBE_EVENTS is off).';
  }
  if (kind === 'tracepoint' && !facts.tracefs) {
    return `tracepoint programs cannot attach because tracefs is not mounted at /sys/kernel/tracing (run "mount -t tracefs none /sys/kernel/tracing" as root)${instead}.`;
  }
  if (kind === 'lsm' && facts.lsms && !facts.lsms.includes('bpf')) {
    return `LSM programs load but do not attach here: the BPF LSM is not active (the kernel's lsm= boot list is ${facts.lsms.join(',')}, without bpf)${instead}.`;
  }
  if ((kind === 'fentry' || kind === 'lsm') && ['EPERM', 'ENOTSUPP', 'EOPNOTSUPP', 'EBUSY'].includes(failure.code)) {
    return `${capitalize(label)} load but cannot attach here (the kernel does not allow the BPF trampoline they need)${instead}.`;
  }
  return `${capitalize(label)} load but do not attach here: ${plainError(failure.code, failure.message)}${instead}.`;
}

export function toCapabilities(outcomes: ProbeOutcome[], facts: HostFacts): Capability[] {
  return outcomes.map((o) => {
    const note = noteFor(o, outcomes, facts);
    return { section: o.section, type: o.type, loads: o.loads, attaches: o.loads ? o.attaches : null, ...(note ? { note } : {}) };
  });
}

/** A user's SEC() string, by the kind it belongs to (libbpf's section prefixes). */
const SECTION_KINDS: [RegExp, Kind][] = [
  [/^(kprobe|kretprobe|ksyscall|kretsyscall|kprobe\.multi|kretprobe\.multi)(\/|$)/, 'kprobe'],
  [/^(uprobe|uretprobe)(\.s|\.multi|\.multi\.s)?(\/|$)|^usdt(\/|$)/, 'uprobe'],
  [/^(tracepoint|tp)(\/|$)/, 'tracepoint'],
  [/^(raw_tracepoint|raw_tp)(\.w)?(\/|$)/, 'raw_tp'],
  [/^tp_btf(\/|$)/, 'tp_btf'],
  [/^(fentry|fexit|fmod_ret)(\.s)?(\/|$)|^freplace(\/|$)/, 'fentry'],
  [/^(lsm|lsm\.s|lsm_cgroup)(\/|$)/, 'lsm'],
  [/^iter(\.s)?(\/|$)/, 'iter'],
  [/^xdp(\.frags)?(\/|$)/, 'xdp'],
  [/^socket(\/|$)/, 'socket'],
  [/^perf_event$/, 'perf_event'],
];

export function sectionKind(section: string): Kind | null {
  return SECTION_KINDS.find(([pattern]) => pattern.test(section))?.[1] ?? null;
}

/**
 * The note to show for a user's SEC() when its kind does not load or attach
 * on this host (or is one the playground never attaches), so the user reads
 * "kprobes are not available on this kernel…" rather than a bare ENOENT.
 * Null when the kind works here or was not probed.
 */
export function explainMissingCapability(section: string, capabilities: Capability[]): string | null {
  const kind = sectionKind(section);
  if (!kind) return null;
  const capability = capabilities.find((c) => c.section === kind);
  if (!capability || (capability.loads && capability.attaches === true)) return null;
  return capability.note ?? null;
}
