// Server → client, as a run streams it: its state, what each stage produced, its output and maps.
import { z } from 'zod';
import { diagnosticSchema, playgroundErrorSchema, verifierExplanationSchema } from './diagnostics.ts';
import { jsonSchema } from './json.ts';
import { mapMetaSchema, mapSnapshotSchema } from './maps.ts';
import { requestIdSchema } from './requests.ts';
import {
  elfSectionSchema,
  objectChangeSchema,
  sourceBlockSchema,
  programMetaSchema,
  runStateSchema,
  stageSchema,
  timingsSchema,
  traceLineSchema,
} from './run.ts';

const requestId = requestIdSchema;

/** Every message of a run carries its `runId`: the id of the `run` request that started it. */
export const runMessageSchemas = [
  /** A run moved to a new state; `timings` grows as stages finish. */
  z.object({
    type: z.literal('run_state'),
    runId: requestId,
    state: runStateSchema,
    stage: stageSchema,
    timings: timingsSchema,
    error: playgroundErrorSchema.optional(),
    /** While queued: the place in line for the compiler (1 = next). */
    queuePosition: z.number().int().optional(),
  }),
  z.object({
    type: z.literal('compiled'),
    runId: requestId,
    ok: z.boolean(),
    diagnostics: z.array(diagnosticSchema),
    /** clang's stderr with temp paths replaced by file names. */
    log: z.string(),
    objectSize: z.number().optional(),
  }),
  /**
   * The playground's policy refused the built object before the kernel saw
   * it: one sentence per broken rule (a denied helper, too many maps…).
   * Nothing of it was loaded.
   */
  z.object({
    type: z.literal('refused'),
    runId: requestId,
    violations: z.array(z.object({ rule: z.string(), message: z.string() })),
  }),
  /** What the playground changed in the object before load (one sentence each), as its own loader would. */
  z.object({ type: z.literal('adjusted'), runId: requestId, changes: z.array(objectChangeSchema) }),
  z.object({ type: z.literal('skeleton'), runId: requestId, ok: z.boolean(), text: z.string() }),
  z.object({
    type: z.literal('loaded'),
    runId: requestId,
    ok: z.boolean(),
    verifierLog: z.string().nullable(),
    libbpfLog: z.string(),
    programs: z.array(programMetaSchema),
    maps: z.array(mapMetaSchema),
    /** Struct types in the object's BTF, for choosing how to decode event records. */
    structs: z.array(z.object({ name: z.string(), size: z.number() })).optional(),
    /** On a rejection: what the verifier meant, in plain words, and the C line it stopped on. */
    explanation: verifierExplanationSchema.optional(),
    /** The rejection mapped to the C source (source: 'verifier'). */
    diagnostics: z.array(diagnosticSchema).optional(),
    /** True when the log buffer was too small even at the largest size tried. */
    logTruncated: z.boolean().optional(),
    /** On a load: whether a program calls bpf_printk (or bpf_trace_printk, bpf_trace_vprintk), so Output gets lines; false: its results are in maps and events only. */
    printsTrace: z.boolean().optional(),
  }),
  /** What was built, for the Inspect tabs: ELF sections, disassembly with source, BTF. */
  z.object({
    type: z.literal('inspect'),
    runId: requestId,
    sections: z.array(elfSectionSchema),
    /** llvm-objdump -S: bytecode with the C source interleaved. */
    disassembly: z.string(),
    /** Which C line each stretch of the disassembly's rows came from (llvm-objdump -l, the object's DWARF); none when it said nothing. */
    disassemblyLines: z.array(sourceBlockSchema).optional(),
    /** bpftool btf dump of the object, in C. */
    btf: z.string(),
  }),
  /** After load: the verifier's translated program and the JITed code, per program. */
  z.object({
    type: z.literal('loaded_code'),
    runId: requestId,
    programs: z.array(
      z.object({
        name: z.string(),
        xlated: z.string(),
        /** Which C line each stretch of the translated rows came from (the program's BTF line info, as bpftool's linum gives it); none when it said nothing. */
        xlatedLines: z.array(sourceBlockSchema).optional(),
        jited: z.string().nullable(),
      }),
    ),
  }),
  z.object({ type: z.literal('attached'), runId: requestId, programs: z.array(programMetaSchema) }),
  /**
   * A batch of bpf_printk lines; `dropped` counts lines the server did not
   * deliver to this session so far (its rate, a slow client). `kernelLost`
   * counts lines the kernel's trace buffer overwrote before the server read
   * them since this run started: that buffer is shared by every program on
   * the host, so they may be anyone's.
   */
  z.object({ type: z.literal('trace'), runId: requestId, lines: z.array(traceLineSchema), dropped: z.number(), kernelLost: z.number().optional() }),
  z.object({ type: z.literal('maps'), runId: requestId, maps: z.array(mapSnapshotSchema) }),
  /** Records from a ring buffer or perf event array, decoded when their type is known. */
  z.object({
    type: z.literal('events'),
    runId: requestId,
    map: z.string(),
    /** The C type records are decoded as, or null when none is known (then only hex). */
    recordType: z.string().nullable(),
    records: z.array(z.object({ value: jsonSchema.nullable(), hex: z.string(), size: z.number() })),
    /** Records not delivered so far: over the session's rate, or behind a slow client. */
    dropped: z.number(),
    /** Records the kernel lost so far (perf buffers report them). */
    lost: z.number(),
  }),
  /** The kernel's run-time accounting for each program, cumulative since attach. */
  z.object({
    type: z.literal('stats'),
    runId: requestId,
    programs: z.array(z.object({ name: z.string(), runCount: z.number(), runTimeNs: z.number() })),
    /** Share of one CPU the programs used over the budget window (0.25 = a quarter of a core). */
    cpuShare: z.number(),
  }),
] as const;
