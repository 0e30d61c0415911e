import type { Diagnostic, VerifierExplanation } from '../../protocol/messages.ts';
import { parseVerifierLog, type Annotation, type ParsedVerifierLog } from '../../protocol/verifier-log.ts';

export { parseVerifierLog, type ParsedVerifierLog } from '../../protocol/verifier-log.ts';

/*
 * Says, for a learner, what a verifier rejection means and on which line of
 * their C source it happened. The log is split by protocol/verifier-log.ts
 * (which shows what a log looks like), the same parser the page uses.
 */

export interface ExplainOptions {
  /** The user's .c file: a `.c` name in the line info that no file matches is the compile unit. */
  mainFile: string;
  /** The user's file names, as they sent them. */
  files: string[];
}

export interface ExplainResult {
  /** Null when the log holds no error (an empty log, or one that passed). */
  explanation: VerifierExplanation | null;
  /** One error on the mapped line; empty when the log gives no line in the user's files. */
  diagnostics: Diagnostic[];
}

/**
 * Explains a verifier rejection: which class of mistake it is, in one
 * sentence and a hint, and the C line it happened on. Pure: it reads only
 * the log and the user's file names.
 */
export function explainVerifierLog(log: string, options: ExplainOptions): ExplainResult {
  const parsed = parseVerifierLog(log);
  if (!parsed.errors.length) return { explanation: null, diagnostics: [] };
  const verdict = classify(parsed, log);
  const where = sourceLine(parsed.annotations, options);
  const explanation: VerifierExplanation = {
    ...verdict,
    ...(where ?? {}),
    ...(parsed.insn ? { insn: parsed.insn.index } : {}),
  };
  const diagnostics: Diagnostic[] = where
    ? [{ file: where.file, line: where.line, column: 1, severity: 'error', message: verdict.summary, source: 'verifier' }]
    : [];
  return { explanation, diagnostics };
}

/**
 * The line the verifier stopped on: the last annotation before the error
 * that has a real line. When that line is in a header the user did not
 * write (bpf_helpers.h, vmlinux.h), the last one in their own files is the
 * call that led there.
 */
function sourceLine(annotations: Annotation[], options: ExplainOptions): { file: string; line: number } | null {
  const located = annotations.filter((a) => a.file !== null && a.line > 0);
  for (let i = located.length - 1; i >= 0; i--) {
    const file = userFile(located[i]!.file!, options);
    if (file) return { file, line: located[i]!.line };
  }
  return null;
}

/** Maps a file name from the line info (`prog.bpf.c`, `/work/prog.bpf.c`, `./x.h`) to one of the user's files. */
function userFile(name: string, options: ExplainOptions): string | null {
  const trimmed = name.replace(/^\/work\//, '').replace(/^(\.\/)+/, '');
  if (options.files.includes(trimmed)) return trimmed;
  const base = trimmed.slice(trimmed.lastIndexOf('/') + 1);
  const byBase = options.files.filter((f) => f === base || f.endsWith(`/${base}`));
  if (byBase.length === 1) return byBase[0]!;
  // One .c file is compiled, so a .c name in the line info can only be the user's main file.
  if (/\.c$/.test(base) && !name.startsWith('/usr/')) return options.mainFile;
  return null;
}

type Verdict = Pick<VerifierExplanation, 'kind' | 'summary' | 'hint'>;

const HINTS = {
  unbounded_loop:
    'Give the loop a constant upper bound the verifier can see (for example `for (int i = 0; i < 64 && !done; i++)`) or use bpf_loop(); kernels before 5.3 need `#pragma unroll` and a constant bound.',
  null_deref: 'Check the pointer before using it, right after the call that returned it: `if (!v) return 0;`. The verifier trusts it only inside that check.',
  out_of_bounds:
    'Check every index against the size before using it (for example `if (i >= sizeof(buf)) return 0;`), prefer unsigned indexes, and keep constant offsets inside the object.',
  missing_return: 'End every path of the function with a `return` (tracing programs usually `return 0;`).',
  unknown_helper:
    'Use a helper this program type may call (tracing programs read memory with bpf_probe_read_kernel/bpf_probe_read_user, not skb or xdp helpers); `bpftool feature probe` lists what each program type may call on this kernel.',
  gpl_only: 'Declare a GPL-compatible license at the end of the file: `char LICENSE[] SEC("license") = "GPL";` (or "Dual BSD/GPL").',
  too_many_insns:
    'Make loops shorter or their bounds smaller, move long loops into bpf_loop(), and avoid branches inside loops that double the paths to check on every turn.',
  bad_arg_size:
    'Pass a size the verifier can bound: an unsigned variable clamped to the buffer (`if (n > sizeof(buf)) n = sizeof(buf);`, plus `if (n == 0) return 0;` where zero is refused) or simply `sizeof(buf)`, and make the buffer as big as the size.',
  bad_ctx_access:
    "Read the context only through its real layout (the tracepoint's struct, e.g. struct trace_event_raw_sys_enter, or the BPF_PROG/BPF_KPROBE macros), never write to it, and use bpf_probe_read_kernel for memory it points to.",
  scalar_deref:
    'Read memory behind a plain number with a helper: `BPF_CORE_READ(task, real_parent, tgid)` follows kernel pointers with bpf_probe_read_kernel and fits field offsets to the running kernel; bpf_probe_read_kernel()/bpf_probe_read_user() copy into a local. For the current task, bpf_get_current_task_btf() returns a pointer the verifier can check.',
  stack_limit:
    "Keep big buffers and structs off the stack: reserve the record in the ring buffer (bpf_ringbuf_reserve) and fill it in place, or use one entry of a BPF_MAP_TYPE_PERCPU_ARRAY map as scratch space; a buffer in a function called from another adds to the caller's stack.",
  spin_lock_tracing:
    'Count without the lock: `__sync_fetch_and_add(&t->calls, 1);` on a value with no bpf_spin_lock in it, or a per-CPU map summed in user space. bpf_spin_lock works in networking programs (xdp, tc) on a VM kernel.',
  other: 'Look at the marked line and the verifier log just above the error: the register states there show what the verifier knew when it gave up.',
} as const;

const ordinal = (n: number) => ['first', 'second', 'third', 'fourth', 'fifth'][n - 1] ?? `#${n}`;
const count = (n: string | number) => Number(n).toLocaleString('en-US');
/** A number of functions at the start of a sentence: "Two", or "The 12". */
const calls = (n: number) => ['Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight'][n - 2] ?? `The ${n}`;

/** Picks the failure class from the error lines, in order from most to least specific. */
function classify(log: ParsedVerifierLog, raw: string): Verdict {
  const text = log.errors.join('\n');
  const insn = log.insn?.text ?? '';
  const helper = /^call ([A-Za-z_]\w*)#\d+$/.exec(insn)?.[1] ?? null;
  // `*(u64 *)(r0 +32) = r1` and atomics store; `r1 = *(u64 *)(r0 +0)` loads.
  const verb = /^(\*\(|lock )/.test(insn) ? 'write' : 'read';
  const verdict = (kind: keyof typeof HINTS, summary: string): Verdict => ({ kind, summary, hint: HINTS[kind] });
  let m: RegExpExecArray | null;

  if (/tracing progs cannot use bpf_spin_lock/.test(text)) {
    return verdict(
      'spin_lock_tracing',
      'This program uses a map whose value holds a bpf_spin_lock, and tracing programs (tracepoints, kprobes, fentry) may not: the kernel refuses it before checking a single instruction.',
    );
  }
  if (/GPL-restricted|non-GPL compatible/.test(text)) {
    const name = helper ?? 'This helper';
    return verdict('gpl_only', `${name} may only be called by GPL-compatible programs, and this program's license is not one.`);
  }

  // libbpf turns an instruction whose CO-RE relocation failed into a call to helper 0xbad2310.
  if (/invalid func unknown#195896080/.test(text)) {
    return {
      kind: 'other',
      summary: 'libbpf could not match a CO-RE field or type on this line to this kernel, so it replaced the access with an invalid call.',
      hint: "Check the field and struct names against this kernel's BTF (vmlinux.h), and guard optional fields with bpf_core_field_exists().",
    };
  }
  if ((m = /program of this type cannot use helper (\w+)#(\d+)/.exec(text))) {
    return verdict('unknown_helper', `This program type may not call ${m[1]} (helper #${m[2]}): it belongs to other kinds of BPF programs.`);
  }
  if ((m = /(?:unknown|invalid) func (\w+)#(\d+)/.exec(text))) {
    const name = m[1] === 'unknown' ? `helper #${m[2]}` : `${m[1]} (helper #${m[2]})`;
    return verdict(
      'unknown_helper',
      `This kernel does not offer ${name} to this program type: the helper is newer than the kernel or meant for other kinds of programs.`,
    );
  }
  if ((m = /calling kernel function (\w+) is not allowed/.exec(text))) {
    return verdict('unknown_helper', `This program type may not call the kernel function ${m[1]}.`);
  }

  if ((m = /BPF program is too large\. Processed (\d+) insn/.exec(text))) {
    const limit = /\(limit (\d+)\)/.exec(log.trailer ?? '')?.[1];
    return verdict(
      'too_many_insns',
      `The verifier gave up after checking ${count(m[1]!)} instructions${limit ? ` (its limit is ${count(limit)})` : ''}: it walks every turn of every loop and every branch, and this program needs more than that.`,
    );
  }
  if ((m = /combined stack size of (\d+) calls is (\d+)\. Too large/.exec(text))) {
    // `stack depth 280+256`: each function's own; the kernel rounds each frame up (to 16 bytes when JITed) before adding.
    const parts = /^stack depth ([\d+]+)\s*$/m.exec(raw)?.[1]?.split('+').map(Number) ?? [];
    const rounded = parts.reduce((a, b) => a + b, 0) !== Number(m[2]) ? ', each rounded up for alignment' : '';
    const each = parts.length > 1 ? ` (${parts.join(' + ')}${rounded})` : '';
    return verdict(
      'stack_limit',
      `${calls(Number(m[1]))} functions on one call path, each calling the next, use ${count(m[2]!)} bytes of stack together${each}, more than the 512 bytes a BPF program may use.`,
    );
  }
  if ((m = /The sequence of (\d+) jumps is too complex/.exec(text)) && insideLoop(log)) {
    return verdict(
      'unbounded_loop',
      `The verifier went round this loop until it had ${count(m[1]!)} branches waiting to be checked, and gave up: nothing bounds the number of turns, so it cannot prove the loop ends.`,
    );
  }
  if ((m = /The sequence of (\d+) jumps is too complex/.exec(text))) {
    return verdict('too_many_insns', `The verifier gave up: this program has ${count(m[1]!)} branches in a row to check, more than it can follow.`);
  }

  if ((m = /infinite loop detected at insn (\d+)/.exec(text))) {
    return verdict('unbounded_loop', `This loop can never end: the verifier came back to instruction ${m[1]} with nothing changed since the last turn.`);
  }
  if ((m = /back-edge from insn (\d+) to (\d+)/.exec(text))) {
    return verdict(
      'unbounded_loop',
      `The verifier refuses this loop: it jumps back from instruction ${m[1]} to ${m[2]}, and this kernel (or this user) may only run loops it can prove end.`,
    );
  }

  if (/^R0 !read_ok/m.test(text) && (insn === '' || insn === 'exit')) {
    return verdict('missing_return', 'The function reaches its end without setting a return value: nothing was written to R0 before `exit`.');
  }

  if ((m = /invalid bpf_context access off=(-?\d+) size=(\d+)/.exec(text))) {
    return verdict(
      'bad_ctx_access',
      `The program ${verb}s ${m[2]} bytes at offset ${m[1]} of its context (ctx), which is not a field this program type may ${verb}.`,
    );
  }
  if ((m = /dereference of modified ctx ptr (R\d+) off=(-?\d+) disallowed/.exec(text))) {
    return verdict(
      'bad_ctx_access',
      `${m[1]} points into the context moved by ${m[2]} bytes, and the verifier only allows context fields read straight from ctx.`,
    );
  }

  if ((m = /(R\d+) invalid mem access 'scalar'/.exec(text))) {
    const origin = scalarOrigin(log, m[1]!);
    return verdict(
      'scalar_deref',
      `${m[1]} is a plain number to the verifier, not a pointer it can check${origin ? `: it is ${origin}` : ''}. A BPF program may not read memory through it directly.`,
    );
  }
  if ((m = /(R\d+) invalid mem access '(\w*or_null\w*)'/.exec(text))) {
    return verdict('null_deref', `${m[1]} may be NULL here: ${nullSource(log, m[2]!)} is used without checking it for NULL first.`);
  }
  if ((m = /(R(\d)) type=(\w*or_null\w*) expected=/.exec(text))) {
    const to = helper ? ` to ${helper}` : '';
    return verdict(
      'null_deref',
      `The ${ordinal(Number(m[2]))} argument${to} (${m[1]}) may be NULL: ${nullSource(log, m[3]!)} is passed on without checking it for NULL first.`,
    );
  }
  if ((m = /Possibly NULL pointer passed to (?:trusted |helper )?arg(\d+)/.exec(text))) {
    return verdict('null_deref', `Argument ${m[1]} of ${helper ?? 'this call'} may be NULL, and the function needs a valid pointer.`);
  }

  const sizeArg = (reg: string) => {
    const n = Number(reg.slice(1));
    return helper && n >= 1 && n <= 5 ? `The size passed to ${helper} in ${reg} (its ${ordinal(n)} argument)` : `The size in ${reg}`;
  };
  if ((m = /(R\d+) min value is negative, either use unsigned or 'var &= const'/.exec(text))) {
    return verdict('bad_arg_size', `${sizeArg(m[1]!)} may be negative.`);
  }
  if ((m = /(R\d+) unbounded memory access, use 'var &= const' or 'if \(var < const\)'/.exec(text))) {
    return verdict('bad_arg_size', `${sizeArg(m[1]!)} has no upper bound the verifier can see, so it could be larger than the buffer.`);
  }
  if ((m = /(R\d+) invalid zero-sized read/.exec(text))) {
    return verdict('bad_arg_size', `${sizeArg(m[1]!)} may be zero, which this helper does not accept.`);
  }
  if ((m = /invalid (?:variable-offset )?indirect read from stack (?:(R\d+) )?off/.exec(text))) {
    return verdict(
      'bad_arg_size',
      `${helper ?? 'The helper'} would read stack memory${m[1] ? ` through ${m[1]}` : ''} that was never written: the size covers more than the initialized buffer.`,
    );
  }
  // A bounds error on a helper call: the pointer and size arguments disagree.
  if (
    helper &&
    (m = /invalid (?:(?:unbounded )?variable-offset )?(?:indirect )?(?:read from |write to |access to )?stack (?:type )?(R\d+)?.*?size=(\d+)/.exec(text))
  ) {
    return verdict('bad_arg_size', `The size passed to ${helper} (${m[2]} bytes) is larger than the stack buffer${m[1] ? ` in ${m[1]}` : ''}.`);
  }
  if (helper && (m = /invalid access to (map value|memory|packet), (?:(?:value|mem)_size=(\d+) )?off=(-?\d+) size=(\d+)/.exec(text))) {
    const reg = /(R\d+) (?:min|max) value is outside/.exec(text)?.[1];
    const size = m[2] ? `, which is only ${m[2]} bytes` : '';
    return verdict('bad_arg_size', `The size passed to ${helper} (${m[4]} bytes) is larger than the ${m[1]}${reg ? ` in ${reg}` : ''}${size}.`);
  }
  if (helper && (m = /(R\d+) min value is negative/.exec(text))) {
    return verdict('bad_arg_size', `${sizeArg(m[1]!)} may be negative.`);
  }

  if ((m = /invalid access to map value, value_size=(\d+) off=(-?\d+) size=(\d+)/.exec(text))) {
    return verdict('out_of_bounds', `This ${verb} of ${m[3]} bytes at offset ${m[2]} goes outside the map value, which is only ${m[1]} bytes long.`);
  }
  if ((m = /invalid access to memory, mem_size=(\d+) off=(-?\d+) size=(\d+)/.exec(text))) {
    return verdict('out_of_bounds', `This ${verb} of ${m[3]} bytes at offset ${m[2]} goes outside a ${m[1]}-byte memory region.`);
  }
  if ((m = /invalid access to packet, off=(-?\d+) size=(\d+)/.exec(text))) {
    return verdict('out_of_bounds', `This ${verb} of ${m[2]} bytes at packet offset ${m[1]} is not proven to be inside the packet.`);
  }
  if ((m = /invalid (?:unbounded )?variable-offset (?:read from |write to )?stack (R\d+)/.exec(text))) {
    return verdict('out_of_bounds', `The index added to ${m[1]} can take this ${verb} outside the stack buffer it points into.`);
  }
  if ((m = /invalid (?:read from |write to )?stack (?:(R\d+) )?off=(-?\d+) size=(\d+)/.exec(text))) {
    return verdict(
      'out_of_bounds',
      `This ${verb} of ${m[3]} bytes at stack offset ${m[2]}${m[1] ? ` through ${m[1]}` : ''} is outside the program's 512-byte stack or the variable it belongs to.`,
    );
  }
  if ((m = /(R\d+) min value is negative/.exec(text))) {
    return verdict('out_of_bounds', `The index used with ${m[1]} may be negative, so this access could land before the start of the memory it points into.`);
  }
  if ((m = /(R\d+) unbounded memory access/.exec(text))) {
    return verdict('out_of_bounds', `The offset added to ${m[1]} has no upper bound the verifier can see, so this access could go past the end.`);
  }
  if ((m = /(R\d+) (?:min|max) value is outside of the allowed memory range/.exec(text))) {
    return verdict('out_of_bounds', `This access through ${m[1]} may fall outside the memory it points into.`);
  }
  if ((m = /access beyond struct (\w+) at off (-?\d+) size (\d+)/.exec(text))) {
    return verdict('out_of_bounds', `This reads ${m[3]} bytes at offset ${m[2]}, past the end of struct ${m[1]}.`);
  }
  if ((m = /math between (\w+) pointer and register with unbounded min value is not allowed/.exec(text))) {
    return verdict('out_of_bounds', `An index with no lower bound is added to a ${m[1]} pointer, so the result could point before the start of it.`);
  }

  const last = log.errors.at(-1)!;
  return verdict('other', `The verifier rejected the program: "${last}".`);
}

/** The failing instruction was reached before on the same path: the walk went round a loop to get there. */
function insideLoop(log: ParsedVerifierLog): boolean {
  const at = log.insn;
  if (!at) return false;
  return /goto pc-\d+/.test(at.text) || log.instructions.filter((i) => i.index === at.index).length > 1;
}

/**
 * What a plain number in a register came from, followed back along the
 * failing path through copies and arithmetic: a helper's result ("what
 * bpf_get_current_task returned") or a load from memory.
 */
function scalarOrigin(log: ParsedVerifierLog, register: string): string | null {
  let wanted = register.toLowerCase();
  for (let i = log.instructions.length - 2; i >= 0; i--) {
    const { text } = log.instructions[i]!;
    const call = /^call ([A-Za-z_]\w*)#\d+$/.exec(text);
    if (call) {
      if (wanted === 'r0') return `what ${call[1]} returned`;
      continue;
    }
    const write = /^(r\d+) (\S*)= (.*)$/.exec(text);
    if (!write || write[1] !== wanted) continue;
    if (write[2] === '' && /^r\d+$/.test(write[3]!)) wanted = write[3]!;
    else if (write[2] === '' && /^\*\(u64 \*\)/.test(write[3]!)) return 'a value loaded from memory, and the verifier does not know what it points to';
    else if (write[2] === '') return null;
  }
  return null;
}

/** What produced a maybe-NULL pointer: the last call whose result had that type, e.g. "the pointer from bpf_map_lookup_elem (map counts)". */
function nullSource(log: ParsedVerifierLog, type: string): string {
  for (let i = log.instructions.length - 1; i >= 0; i--) {
    const { text, state } = log.instructions[i]!;
    const call = /^call ([A-Za-z_]\w*)#\d+$/.exec(text);
    if (!call) continue;
    const result = new RegExp(`R0=${type}\\(([^)]*)\\)`).exec(state);
    if (!result) continue;
    const map = /(?:^|,)map=([^,]+)/.exec(result[1]!)?.[1];
    return `the pointer from ${call[1]}${map ? ` (map ${map})` : ''}`;
  }
  return type.startsWith('map_value') ? 'the pointer from bpf_map_lookup_elem' : `the pointer (${type})`;
}
