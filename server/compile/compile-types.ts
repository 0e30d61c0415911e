import type { Diagnostic, ElfSection, PlaygroundError, SourceBlock } from '../../protocol/messages.ts';

// The data a compile makes and the cache keeps, in a module of their own: the
// compiler, the cache and the inspector all use them, and none of those needs
// the others' code for it (no import cycle between them).

export interface CompileResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** clang's stderr, with temp paths replaced by the user's file names. */
  log: string;
  object?: Buffer;
  /** The C identifier the skeleton is named after (from the main file's name). */
  name: string;
  durationMs: number;
  error?: PlaygroundError;
}

export interface SkeletonResult {
  ok: boolean;
  text: string;
  durationMs: number;
}

/** What the backend, never the user, adds to a compile. */
export interface CompileContext {
  /** The session's secret prefix for bpf_printk lines (see bpf/include/bpf/bpf_helpers.h). */
  traceTag: string;
}

/** The Inspect tabs' view of a compiled object (server/inspect/inspect.ts makes it). */
export interface InspectResult {
  sections: ElfSection[];
  disassembly: string;
  /** The C line of each stretch of the disassembly's rows. */
  disassemblyLines: SourceBlock[];
  btf: string;
}

/** One compiled source and what was made from it, shared by every later Run of the same source. */
export interface CachedCompile {
  result: CompileResult;
  skeleton?: Promise<SkeletonResult>;
  inspect?: Promise<InspectResult>;
  /** The part of the kernel BTF this object's CO-RE relocations need, being made (null: none could be). */
  minimalBtf?: Promise<Buffer | null>;
  /** The same, once made: later Runs load with it. */
  minimalBtfReady?: Buffer | null;
}
