// The verifier's walk through a program, step by step, read from its log_level 2 log: what the
// stepper shows and what `--verifier-steps` prints. No `node:` imports: the page reads it too.
/*
 * A log_level 2 log (Linux 6.18, `clang -g`) prints each instruction the
 * verifier visits, in the order it visits them, with the registers it
 * changed after the `;`, and a full state where a path starts:
 *
 *   0: R1=ctx() R10=fp0                              a full state
 *   ; v = bpf_map_lookup_elem(&counts, &key); @ prog.bpf.c:18
 *   9: (85) call bpf_map_lookup_elem#1    ; R0=map_value_or_null(id=1,…)
 *   10: (15) if r0 == 0x0 goto pc+4       ; R0=map_value(…)
 *   …
 *   from 10 to 15: R0=0 R10=fp0 fp-8=mmmm????        the other branch, walked next
 *   from 13 to 19: safe                              a branch pruned: an equal state was seen
 *   processed 25 insns (limit 1000000) max_states_per_insn 0 total_states 2 peak_states 2 mark_read 0
 *
 * Before the walk, "Live regs before insn" lists, per instruction, the
 * registers it and the code after it will read: for a call, its arguments.
 */

import type { VerifierFigures } from './run.ts';
import { ANNOTATION_AT, INSN, splitInlineState } from './verifier-log.ts';

export type { VerifierFigures };

/** One register or stack slot as the verifier describes it: `map_value_or_null(id=1,map=counts,ks=4,vs=8)`. */
export interface SlotState {
  /** `R0`…`R10`, or a stack slot `fp-8`. */
  name: string;
  /** The verifier's own text. */
  text: string;
  /** Its type: `scalar`, `ctx`, `map_ptr`, `map_value_or_null`, `fp` (the frame pointer, plus an offset)…; a known number is `scalar`. */
  type: string;
  /** Its bounds and ids (`umax: "255"`, `id: "1"`), each alias spelled out: `smin=smin32=0` gives both. */
  fields: Record<string, string>;
}

export interface VerifierStep {
  /** The instruction's index in the program. */
  insn: number;
  /** The instruction as printed: `r1 = *(u64 *)(r0 +0)`. */
  asm: string;
  /** The C line it came from, when the log said (the last `; … @ file:line` before it). */
  source: { file: string; line: number; text: string } | null;
  /** Every register and stack slot known after this step. */
  state: SlotState[];
  /** Names whose state this step changed. */
  changed: string[];
  /** What the instruction reads and writes: `r0`, `fp-8`. */
  reads: string[];
  writes: string[];
  /** Set on the first step of a path the verifier came back for: the branch it left at. */
  from?: number;
}

export interface VerifierWalk {
  steps: VerifierStep[];
  /** Branches the verifier did not walk again: an equal or more precise state had been seen there (`from 13 to 19: safe`). */
  pruned: { from: number; to: number }[];
  /** The error, when the walk ended in a rejection: its text and the step it stopped at. */
  failure: { message: string; step: number } | null;
  figures: VerifierFigures | null;
}

const FULL_STATE = /^(\d+): ((?:R\d+|fp-?\d+)\S*=.*)$/;
const BRANCH = /^from (\d+) to (\d+): (.*)$/;
const JUMP_WITH_STATE = /^(.*\bgotol? pc[+-]\d+)\s+\d+: ((?:R\d+|fp-?\d+)\S*=.*)$/;
const LIVE = /^\s+(?:\d+\s+)?(\d+): ([.0-9]{10}) /;
const FIGURES = /^processed (\d+) insns \(limit \d+\) max_states_per_insn (\d+) total_states (\d+) peak_states (\d+)/m;
const TIME = /^verification time (\d+) usec/m;
const DEPTH = /^stack depth (\d+)/m;
// Lines that are bookkeeping, never an error.
const BOOKKEEPING = [
  /^\s*$/,
  /^func#\d+ @\d+/,
  /^Live regs before insn:/,
  /^arg#\d+ reference type/,
  /^mark_precise:/,
  /^\(\d+\) frame \d+ insn \d+/,
  /^\(\d+\) live stack update/,
  /^(cur|old) state:/,
  /^(caller|callee):$/,
  /^\s*frame\d+:/,
  /^Validating .* func#\d+/,
  /^Func#\d+ .* is (global|static)/,
  /^SCC (enter|exit)/,
  /^libbpf: /,
];

/** Reads a log_level 2 log into the verifier's steps. Tolerant: a line it does not know is skipped, never a step. */
export function parseVerifierWalk(log: string): VerifierWalk {
  const walk: VerifierWalk = { steps: [], pruned: [], failure: null, figures: null };
  const live = new Map<number, string[]>();
  let state = new Map<string, SlotState>();
  let source: VerifierStep['source'] = null;
  let from: number | undefined;
  let errorLines: string[] = [];
  for (const line of log.split('\n')) {
    const liveRow = LIVE.exec(line);
    if (liveRow && !walk.steps.length) {
      live.set(Number(liveRow[1]), liveRegisters(liveRow[2]!));
      continue;
    }
    const insn = INSN.exec(line);
    if (insn) {
      errorLines = [];
      const index = Number(insn[1]);
      const [printed, inlineState = ''] = splitInlineState(insn[2]!);
      // Level 1 prints a jump it takes with the state at its target on the same line:
      // `if r0 == 0x0 goto pc+7 19: R0=0 R6=…`. That state is the next step's.
      const jumpState = JUMP_WITH_STATE.exec(printed);
      const asm = jumpState ? jumpState[1]! : printed;
      const access = accessOf(asm, live.get(index));
      const before = state;
      state = new Map(before);
      // A call leaves r1-r5 unreadable: the verifier forgets them.
      if (/^call /.test(asm)) for (const r of ['R1', 'R2', 'R3', 'R4', 'R5']) state.delete(r);
      for (const slot of parseState(inlineState)) state.set(slot.name, slot);
      const changed = [...state.keys()].filter((name) => before.get(name)?.text !== state.get(name)?.text);
      for (const name of before.keys()) if (!state.has(name)) changed.push(name);
      walk.steps.push({
        insn: index,
        asm,
        source,
        state: [...state.values()].sort(bySlot),
        changed: changed.sort(byName),
        ...access,
        ...(from !== undefined ? { from } : {}),
      });
      from = undefined;
      if (jumpState) state = new Map(parseState(jumpState[2]!).map((s) => [s.name, s]));
      continue;
    }
    const full = FULL_STATE.exec(line);
    if (full) {
      state = new Map(parseState(full[2]!).map((s) => [s.name, s]));
      continue;
    }
    const branch = BRANCH.exec(line);
    if (branch) {
      if (branch[3] === 'safe') walk.pruned.push({ from: Number(branch[1]), to: Number(branch[2]) });
      else {
        from = Number(branch[1]);
        state = new Map(parseState(branch[3]!).map((s) => [s.name, s]));
      }
      continue;
    }
    const at = ANNOTATION_AT.exec(line);
    if (at) {
      source = { file: at[2]!, line: Number(at[3]), text: at[1]!.trim() };
      continue;
    }
    if (FIGURES.test(line) || TIME.test(line) || DEPTH.test(line)) continue;
    if (/^\d+: safe$/.test(line) || BOOKKEEPING.some((pattern) => pattern.test(line))) continue;
    // Anything else after an instruction is what the verifier said about it: the error, when the walk ends there.
    if (walk.steps.length) errorLines.push(line.trim());
  }
  walk.figures = verifierFigures(log);
  if (errorLines.length && walk.steps.length) walk.failure = { message: errorLines.join('\n'), step: walk.steps.length - 1 };
  return walk;
}

/**
 * veristat's figures from a log's last lines (any level; the time and stack
 * depth only where BPF_LOG_STATS printed them), or null when it has none.
 */
export function verifierFigures(log: string): VerifierFigures | null {
  const processed = FIGURES.exec(log);
  if (!processed) return null;
  const figures: VerifierFigures = {
    processedInsns: Number(processed[1]),
    maxStatesPerInsn: Number(processed[2]),
    totalStates: Number(processed[3]),
    peakStates: Number(processed[4]),
  };
  const time = TIME.exec(log);
  if (time) figures.verificationUs = Number(time[1]);
  // `stack depth 24+16` lists the main program's first, then each subprogram's.
  const depth = DEPTH.exec(log);
  if (depth) figures.stackDepth = Number(depth[1]);
  return figures;
}

/** The figures in a few words, as the page and the CLI say them: `13 insns processed`, `1 state (peak 1)`, `176 µs`, `stack 8 B`. */
export function figureParts(f: VerifierFigures, number: (n: number) => string = String): string[] {
  const parts = [
    `${number(f.processedInsns)} insns processed`,
    `${number(f.totalStates)} state${f.totalStates === 1 ? '' : 's'} (peak ${number(f.peakStates)})`,
  ];
  if (f.verificationUs !== undefined) parts.push(`${number(f.verificationUs)} µs`);
  if (f.stackDepth !== undefined) parts.push(`stack ${f.stackDepth} B`);
  return parts;
}

/** The step before `step` that last wrote `name` on the path that led to it: where its value came from. */
export function lastWriter(walk: VerifierWalk, step: number, name: string): number | null {
  const wanted = name.toLowerCase();
  let i = step;
  while (i > 0) {
    const here = walk.steps[i]!;
    // Back past a path's first step is back at the branch it left, not at the end of the path walked before it.
    if (here.from !== undefined) {
      const branch = walk.steps.findLastIndex((b, j) => j < i && b.insn === here.from);
      if (branch < 0) return null;
      i = branch;
    } else i--;
    if (walk.steps[i]!.writes.includes(wanted)) return i;
  }
  return null;
}

/** `R1=ctx() R10=fp0 fp-8=mmmm????` → its slots; spaces inside parentheses (`var_off=(0x0; 0x7)`) stay. */
export function parseState(text: string): SlotState[] {
  const slots: SlotState[] = [];
  for (const part of splitTopLevel(text.trim())) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).replace(/_w$/, '');
    if (!/^(R\d+|fp-?\d+)$/.test(name)) continue;
    const value = part.slice(eq + 1);
    slots.push({ name, text: value, ...readSlotValue(value) });
  }
  return slots;
}

function readSlotValue(value: string): { type: string; fields: Record<string, string> } {
  if (/^-?\d+$/.test(value) || /^0x[0-9a-f]+$/i.test(value)) return { type: 'scalar', fields: { value } };
  const fp = /^fp(-?\d+)$/.exec(value);
  if (fp) return { type: 'fp', fields: { off: fp[1]! } };
  const open = value.indexOf('(');
  if (open < 0 || !value.endsWith(')')) return { type: value, fields: {} };
  const fields: Record<string, string> = {};
  for (const item of splitTopLevel(value.slice(open + 1, -1), ',')) {
    const names = item.split('=');
    const val = names.pop()!;
    for (const key of names) fields[key] = val;
  }
  return { type: value.slice(0, open), fields };
}

function splitTopLevel(text: string, separator = ' '): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === separator && depth === 0) {
      if (current) parts.push(current);
      current = '';
    } else current += ch;
  }
  if (current) parts.push(current);
  return parts;
}

/** `.12.......` → r1, r2: the Live regs table's columns are r0…r9. */
function liveRegisters(columns: string): string[] {
  return [...columns].flatMap((c, i) => (c === '.' ? [] : [`r${i}`]));
}

/** What one instruction reads and writes, from its text (and, for a call, the arguments live before it). */
export function accessOf(asm: string, liveBefore: string[] = []): { reads: string[]; writes: string[] } {
  const regs = (text: string) => [...text.matchAll(/\b(r\d+|w\d+)\b/g)].map((m) => m[1]!.replace(/^w/, 'r'));
  // The verifier names the stack by 8-byte slots: r10 -4 is in fp-8, r10 -16 is fp-16.
  const slot = (base: string, offset: string) => (base === 'r10' ? [`fp${-8 * Math.ceil(-Number(offset.replace(/\s+/g, '')) / 8)}`] : []);
  const unique = (list: string[]) => [...new Set(list)];
  if (/^call /.test(asm)) return { reads: liveBefore.filter((r) => /^r[1-5]$/.test(r)), writes: ['r0'] };
  if (asm === 'exit') return { reads: ['r0'], writes: [] };
  if (/^(goto|gotol) /.test(asm)) return { reads: [], writes: [] };
  if (/^if /.test(asm)) return { reads: unique(regs(asm.replace(/goto.*$/, ''))), writes: [] };
  // A store: *(u32 *)(r10 -4) = r1, and atomics: lock *(u64 *)(r1 +0) += r2.
  const store = /^(?:lock )?\*\(\w+ \*\)\((r\d+) ([+-]\s*\d+)\) (\S*=) (.*)$/.exec(asm);
  if (store) {
    const [, base, offset, , rhs] = store;
    return { reads: unique([base!, ...regs(rhs!)]), writes: slot(base!, offset!) };
  }
  const assign = /^([rw]\d+) (\S*=) (.*)$/.exec(asm);
  if (assign) {
    const target = assign[1]!.replace(/^w/, 'r');
    const rhs = assign[3]!;
    const load = /\*\(\w+ \*\)\((r\d+) ([+-]\s*\d+)\)/.exec(rhs);
    const reads = [...(assign[2] === '=' ? [] : [target]), ...regs(rhs), ...(load ? slot(load[1]!, load[2]!) : [])];
    return { reads: unique(reads), writes: [target] };
  }
  return { reads: unique(regs(asm)), writes: [] };
}

const slotOrder = (name: string) => (name.startsWith('R') ? Number(name.slice(1)) : 100 - Number(name.slice(2)));
function bySlot(a: SlotState, b: SlotState): number {
  return slotOrder(a.name) - slotOrder(b.name);
}
function byName(a: string, b: string): number {
  return slotOrder(a) - slotOrder(b);
}
