// One Run's moving parts: its state and stages, timings, programs, trace lines, and the ELF it built.
import { z } from 'zod';

export const elfSectionSchema = z.object({
  name: z.string(),
  type: z.string(),
  size: z.number(),
  flags: z.string(),
});
export type ElfSection = z.infer<typeof elfSectionSchema>;

/**
 * Rows of a shown code text (disassembly, translated program) that came from
 * one C line: rows `firstRow` to `lastRow` (1-based, inclusive) of that text,
 * from line `line` of `file` (a user's file name, or the header's path).
 * A C line whose code is spread out has one block per stretch of rows.
 */
export const sourceBlockSchema = z.object({
  firstRow: z.number().int().min(1),
  lastRow: z.number().int().min(1),
  file: z.string(),
  line: z.number().int().min(1),
});
export type SourceBlock = z.infer<typeof sourceBlockSchema>;

/** What veristat reports for one program's load, read from the last lines of its verifier log. */
export const verifierFiguresSchema = z.object({
  processedInsns: z.number(),
  totalStates: z.number(),
  peakStates: z.number(),
  maxStatesPerInsn: z.number(),
  /** Absent from logs that do not print it (below BPF_LOG_STATS). */
  verificationUs: z.number().optional(),
  /** The main program's stack use in bytes (the log lists subprograms' after it). */
  stackDepth: z.number().optional(),
});
export type VerifierFigures = z.infer<typeof verifierFiguresSchema>;

export const programMetaSchema = z.object({
  name: z.string(),
  section: z.string(),
  type: z.string(),
  instructions: z.number(),
  /** After load: the instructions the verifier processed for it, paths and loop turns included (veristat's total). */
  verifiedInstructions: z.number().optional(),
  /** After a load, passed or refused: the verifier's states, peak states, time and stack depth for it. */
  verifier: verifierFiguresSchema.optional(),
  attached: z.boolean(),
  /** Why it did not attach, in one sentence. */
  attachError: z.string().optional(),
  /** Left out of load on purpose (its target is absent here, or a variant of it runs instead): the sentence says which and why. */
  notLoaded: z.string().optional(),
  /** perf_event programs: the CPUs whose clocks it samples. */
  cpus: z.number().optional(),
  /** perf_event programs: the event it samples on each of them (the CPU clock when absent). */
  perfEvent: z.string().optional(),
});
export type ProgramMeta = z.infer<typeof programMetaSchema>;

/** What a perf_event program can sample on each CPU: the software clock (the default, works everywhere) or a hardware counter, by `perf list`'s name. */
export const PERF_EVENT_NAMES = ['cpu-clock', 'cycles', 'instructions', 'cache-references', 'cache-misses', 'branch-misses'] as const;
export type PerfEventName = (typeof PERF_EVENT_NAMES)[number];

/** A perf event as a sentence names it: "the CPU clock", "the cycles counter". */
export function perfEventName(event: string | undefined): string {
  return !event || event === 'cpu-clock' ? 'the CPU clock' : `the ${event} counter`;
}

/** What a tool's loader takes on its command line to attach: a Run's choices for its perf_event, uprobe and usdt programs. */
export const attachSettingsSchema = z.object({
  perfEvent: z.enum(PERF_EVENT_NAMES).optional(),
  /** The binary uprobes and usdt probes watch, where the kernel is; the playground's target program when left out. */
  binary: z.string().min(1).max(4096).optional(),
  /** For SEC("uprobe") and SEC("usdt") with no target in the section: a function, or `provider:name`. */
  function: z.string().min(1).max(256).optional(),
  /** Only this process (VM kernels); every process that runs the binary when left out. */
  pid: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1)
    .optional(),
});
export type AttachSettings = z.infer<typeof attachSettingsSchema>;

/** `uprobe`, `uretprobe` or `usdt`, optionally sleepable (`.s`) or `.multi`, then any target after `/`: the page and the loader read sections alike. */
export const USER_PROBE_SECTION = /^(uprobe|uretprobe|usdt)(\.s)?(\.multi)?(\.s)?(?:\/(.*))?$/;

export function isUserProbeSection(section: string): boolean {
  return USER_PROBE_SECTION.test(section);
}

/** One thing the playground changed in the object before load, as the program's own loader would: a map resized, a program left out. */
export const objectChangeSchema = z.object({ kind: z.enum(['map', 'program']), name: z.string(), message: z.string() });
export type ObjectChange = z.infer<typeof objectChangeSchema>;

export const traceLineSchema = z.object({
  /** Kernel timestamp in seconds, as trace_pipe prints it. */
  ts: z.number(),
  cpu: z.number(),
  pid: z.number(),
  comm: z.string(),
  /** The bpf_printk text, without the tracefs prefix columns. */
  text: z.string(),
});
export type TraceLine = z.infer<typeof traceLineSchema>;

/** `booting`: the session's VM is starting (or waiting for a free one: then `queuePosition` says where in line). */
export const runStateSchema = z.enum(['queued', 'compiling', 'booting', 'loading', 'attaching', 'running', 'stopped', 'error']);
export type RunState = z.infer<typeof runStateSchema>;

export const stageSchema = z.enum(['compile', 'load', 'attach', 'run']);
export type Stage = z.infer<typeof stageSchema>;

export const timingsSchema = z.object({
  /** The object came from the compile cache (the same sources were built before). */
  cached: z.boolean().optional(),
  compileMs: z.number().optional(),
  skeletonMs: z.number().optional(),
  loadMs: z.number().optional(),
  attachMs: z.number().optional(),
  /** The Run found its source being compiled already (the page compiles while you type) and waited this long. */
  waitedForPrepareMs: z.number().optional(),
  /** While `booting`: how long the session's VM had been booting when this was sent (the page counts on from it). */
  bootingForMs: z.number().optional(),
  /** How long the Run waited for its VM (0 when a ready one was taken from the pool). */
  vmWaitMs: z.number().optional(),
});
export type Timings = z.infer<typeof timingsSchema>;
