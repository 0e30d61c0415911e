// The kernel verifier's log, read the same way by the server (to explain a rejection) and
// the page (to mark the line): it is what `loaded.verifierLog` carries. No `node:` imports.
/*
 * Splits a kernel verifier log (log_level 1 or 2, with or without libbpf's
 * framing around it) into the error, the instruction it stopped at, and the
 * source lines annotated before it.
 *
 * What the log looks like on Linux 6.18 for an object built with `clang -g`:
 *
 *   arg#0 reference type('UNKNOWN ') size cannot be determined: -22
 *   0: R1=ctx() R10=fp0
 *   ; v = bpf_map_lookup_elem(&counts, &key); @ prog.bpf.c:19
 *   4: (18) r1 = 0xffff88812da54c00       ; R1=map_ptr(map=counts,ks=4,vs=8)
 *   6: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,map=counts,ks=4,vs=8)
 *   ; *v += 1; @ prog.bpf.c:20
 *   7: (79) r1 = *(u64 *)(r0 +0)
 *   R0 invalid mem access 'map_value_or_null'
 *   processed 7 insns (limit 1000000) max_states_per_insn 0 total_states 0 peak_states 0 mark_read 0
 *
 * The kernel prints a `; source @ file:line` annotation only when the line
 * changes from the last one it printed, so in log order the last annotation
 * always belongs to the instructions after it, across branch states too.
 * Older kernels print `; source` without the location; then no line is known.
 * `;  @ prog.bpf.c:0` marks instructions the compiler made up (no line).
 * Since 6.4 the log rotates: a log cut for size keeps its end, which may
 * begin in the middle of a line.
 */

export interface Annotation {
  text: string;
  /** Null for the older `; source` form without a location. */
  file: string | null;
  line: number;
}

export interface Instruction {
  index: number;
  /** The instruction as the verifier prints it, without its inline state: `call bpf_map_lookup_elem#1`. */
  text: string;
  /** The inline state after it, when printed: `R0=map_value_or_null(id=1,…)`. */
  state: string;
}

/** The parts of a verifier log the explanation needs. */
export interface ParsedVerifierLog {
  /** The error's lines, without state dumps: usually one, sometimes two ("invalid access…" then "R0 min value…"). */
  errors: string[];
  /** The last instruction the verifier printed before the error: the one it stopped at. */
  insn: Instruction | null;
  /** Every instruction printed before the error, in log order. */
  instructions: Instruction[];
  /** Source annotations before the error, in log order: the last one is the failing instruction's. */
  annotations: Annotation[];
  /** The `processed N insns (limit M) …` line, when the log has it. */
  trailer: string | null;
}

// Shared with the stepper's parser (verifier-steps.ts): both read the same lines.
/** `9: (85) call bpf_map_lookup_elem#1    ; R0=…`: the index, then the text with any inline state. */
export const INSN = /^(\d+): \([0-9a-f]{2}\) (.*)$/;
/** `; v = bpf_map_lookup_elem(&counts, &key); @ prog.bpf.c:18`: the C line an instruction came from. */
export const ANNOTATION_AT = /^; (.*) @ (.+):(\d+)$/;
const ANNOTATION = /^; ?(.*)$/;
const TRAILER = /^processed \d+ insns/;
// Lines that are state or bookkeeping, never the error itself.
const NOISE = [
  /^\s*$/,
  /^(cur|old) state:/,
  /^\s*(\d+: )?(frame\d+: )?(R\d+|fp-?\d+)\S*=/,
  /^\s*frame\d+:/,
  /^(caller|callee):$/,
  /^from \d+ to \d+/,
  /^\d+: safe$/,
  /^arg#\d+ reference type/,
  /^func#\d+ @\d+/,
  /^Func#\d+ .* is (global|static)/,
  /^Validating .* func#\d+/,
  /^(mark_precise|last_idx|regs=|parent (didn't|already)|propagating|BACKTRACK|stack=)/,
  /^Live regs before insn:/,
  // 6.x log_level 2: the "Live regs before insn" table, and strongly connected component tracking.
  /^\s+(\d+\s+)?\d+: /,
  /^SCC (enter|exit)/,
  /^verification time/,
  /^stack depth/,
];

/** Splits a verifier log into the error, the instruction it stopped at, and the source annotations before it. */
export function parseVerifierLog(raw: string): ParsedVerifierLog {
  let lines = raw.replace(/\r/g, '').split('\n');
  // libbpf's own printout frames the kernel's log; keep what is inside.
  const begin = lines.findLastIndex((l) => l.includes('-- BEGIN PROG LOAD LOG --'));
  if (begin >= 0) {
    const end = lines.findIndex((l, i) => i > begin && l.includes('-- END PROG LOAD LOG --'));
    lines = lines.slice(begin + 1, end < 0 ? undefined : end);
  }
  lines = lines.map((l) => l.replace(/^libbpf: /, ''));
  const trailer = lines.findLastIndex((l) => TRAILER.test(l));
  const body = trailer < 0 ? lines : lines.slice(0, trailer);

  // The kernel prints each annotation right before its instruction, and every
  // error before the next annotation, so all of them precede the error.
  const instructions: Instruction[] = [];
  const annotations: Annotation[] = [];
  let lastInsnLine = -1;
  body.forEach((line, i) => {
    const at = ANNOTATION_AT.exec(line);
    const insn = at ? null : INSN.exec(line);
    const old = at || insn ? null : ANNOTATION.exec(line);
    if (at) annotations.push({ text: at[1]!.trim(), file: at[2]!, line: Number(at[3]) });
    if (old) annotations.push({ text: old[1]!.trim(), file: null, line: 0 });
    if (insn) {
      const [text, state = ''] = splitInlineState(insn[2]!);
      instructions.push({ index: Number(insn[1]), text, state });
      lastInsnLine = i;
    }
  });

  const errors = body.slice(lastInsnLine + 1).filter((l) => !ANNOTATION.test(l) && !INSN.test(l) && !NOISE.some((re) => re.test(l)));
  return {
    errors: errors.map((e) => e.trim()),
    insn: instructions.at(-1) ?? null,
    instructions,
    annotations,
    trailer: trailer < 0 ? null : lines[trailer]!,
  };
}

/** `call bpf_x#1    ; R0=…` → [`call bpf_x#1`, `R0=…`]: level 1 prints the state after the instruction, behind `; `. */
export function splitInlineState(text: string): [string, string?] {
  const match = /^(.*?)\s+; (.*)$/.exec(text);
  return match ? [match[1]!.trim(), match[2]!] : [text.trim()];
}
