/**
 * The WebSocket protocol between the playground's backend and its clients
 * (the browser page and the `ebpf-playground` CLI).
 *
 * Every frame is one JSON object with a `type`. Client requests carry an `id`
 * that the server echoes in its `reply` (and in the run messages a `run`
 * starts), so a client can match answers to questions. Both sides go through
 * {@link encodeClientMessage}/{@link decodeClientMessage} and the server
 * equivalents: nothing else parses frames.
 *
 * This module has no `node:` imports: the browser bundles it too.
 */
import { z } from 'zod';

/** Bumped on any incompatible change; the server refuses other versions in `hello`. */
export const PROTOCOL_VERSION = 1;

/** A JSON value as the BTF decoder produces it: numbers, strings ("0x…" pointers, big u64s), arrays, objects. */
export const jsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(jsonSchema), z.record(z.string(), jsonSchema)]),
);
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const requestId = z.union([z.string().max(64), z.number().int()]);

/** A file name the compile accepts: letters, digits, _ . -, not starting with . or -, ending in .c or .h. */
export const SOURCE_FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
/** Files in one program. */
export const MAX_SOURCE_FILES = 16;

export const sourceFileSchema = z.object({
  name: z.string().min(1).max(64),
  content: z.string(),
});
export type SourceFile = z.infer<typeof sourceFileSchema>;

/** An entry user space writes into a map after load and before attach. */
export const mapSeedSchema = z.object({
  map: z.string().min(1).max(64),
  key: jsonSchema,
  value: jsonSchema,
});
export type MapSeed = z.infer<typeof mapSeedSchema>;

export const severitySchema = z.enum(['error', 'warning', 'note']);
export type Severity = z.infer<typeof severitySchema>;

export const diagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int().optional(),
  endColumn: z.number().int().optional(),
  severity: severitySchema,
  message: z.string(),
  source: z.enum(['clang', 'verifier', 'libbpf', 'policy']),
});
export type Diagnostic = z.infer<typeof diagnosticSchema>;

export const errorCodeSchema = z.enum([
  'bad_request',
  'protocol_version',
  'compile_failed',
  'skeleton_failed',
  'verifier_rejected',
  'load_failed',
  'attach_failed',
  'seed_failed',
  'policy_denied',
  'busy',
  'not_running',
  'map_error',
  'host_unsupported',
  'rate_limited',
  'session_expired',
  'too_many_sessions',
  'internal',
]);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const playgroundErrorSchema = z.object({ code: errorCodeSchema, message: z.string() });
export type PlaygroundError = z.infer<typeof playgroundErrorSchema>;

/**
 * A compact BTF type tree for rendering and validating entry forms (the
 * server's `describeType`). Pointers are not followed; `opaque` stands for
 * void, forward declarations and types nested in themselves.
 */
export const typeDescSchema: z.ZodType<TypeDesc> = z.lazy(() =>
  z.object({
    kind: z.enum(['int', 'bool', 'float', 'enum', 'pointer', 'array', 'struct', 'union', 'datasec', 'opaque']),
    name: z.string(),
    size: z.number().optional(),
    signed: z.boolean().optional(),
    bits: z.number().optional(),
    enumerators: z.array(z.object({ name: z.string(), value: z.union([z.number(), z.string()]) })).optional(),
    target: z.string().optional(),
    length: z.number().optional(),
    /** A char array, shown and entered as a string. */
    text: z.boolean().optional(),
    elem: typeDescSchema.optional(),
    fields: z
      .array(
        z.object({
          name: z.string(),
          offset: z.number(),
          bitOffset: z.number().optional(),
          bits: z.number().optional(),
          type: typeDescSchema,
        }),
      )
      .optional(),
    reason: z.string().optional(),
  }),
);
export interface TypeDesc {
  kind: 'int' | 'bool' | 'float' | 'enum' | 'pointer' | 'array' | 'struct' | 'union' | 'datasec' | 'opaque';
  name: string;
  size?: number;
  signed?: boolean;
  bits?: number;
  enumerators?: { name: string; value: number | string }[];
  target?: string;
  length?: number;
  text?: boolean;
  elem?: TypeDesc;
  fields?: { name: string; offset: number; bitOffset?: number; bits?: number; type: TypeDesc }[];
  reason?: string;
}

export const verifierExplanationSchema = z.object({
  /** Which failure class, e.g. 'null_deref', 'unbounded_loop'. */
  kind: z.string(),
  /** One plain-language sentence: what went wrong. */
  summary: z.string(),
  /** What to change. */
  hint: z.string(),
  file: z.string().optional(),
  line: z.number().int().optional(),
  /** The instruction the verifier stopped at. */
  insn: z.number().int().optional(),
});
export type VerifierExplanation = z.infer<typeof verifierExplanationSchema>;

export const elfSectionSchema = z.object({
  name: z.string(),
  type: z.string(),
  size: z.number(),
  flags: z.string(),
});
export type ElfSection = z.infer<typeof elfSectionSchema>;

export const mapMetaSchema = z.object({
  name: z.string(),
  type: z.string(),
  keySize: z.number(),
  valueSize: z.number(),
  maxEntries: z.number(),
  keyType: z.string().nullable(),
  valueType: z.string().nullable(),
  keyDesc: typeDescSchema.nullable(),
  valueDesc: typeDescSchema.nullable(),
  perCpu: z.boolean(),
  /** Users can insert/update/delete entries (hash, array, .data, .bss…). */
  writable: z.boolean(),
});
export type MapMeta = z.infer<typeof mapMetaSchema>;

export const mapEntrySchema = z.object({
  key: jsonSchema,
  value: jsonSchema,
  /** Per-CPU maps: one value per possible CPU; `value` is then their sum where they are numbers. */
  perCpu: z.array(jsonSchema).optional(),
});
export type MapEntry = z.infer<typeof mapEntrySchema>;

export const mapSnapshotSchema = z.object({
  name: z.string(),
  /**
   * false: `entries` holds only the entries that changed since the previous
   * frame and `removed` the keys that went; apply them with {@link applyMapDelta}.
   * Absent or true: `entries` is the whole map (up to the display cap).
   */
  full: z.boolean().optional(),
  entries: z.array(mapEntrySchema),
  removed: z.array(jsonSchema).optional(),
  /** Entries in the map; more than shown when the snapshot was cut at the display cap. */
  count: z.number(),
  truncated: z.boolean(),
  error: z.string().optional(),
  /**
   * Queue and stack maps: `entries` holds at most the head (key null), the
   * value the next pop returns, read without taking it off. The kernel cannot
   * list these maps, or count them, without emptying them: `count` is then 1
   * when the map holds something (maybe more) and 0 when it is empty.
   */
  headOnly: z.boolean().optional(),
  /** A sentence for the user about how this map is shown, e.g. that only a queue's head is. */
  note: z.string().optional(),
});
export type MapSnapshot = z.infer<typeof mapSnapshotSchema>;

/** The identity of an entry: its key as canonical JSON. */
export const entryKey = (key: Json): string => JSON.stringify(key);

/** A map's entries after a frame: a full snapshot replaces them, a delta updates them in place (order kept, new ones last). */
export function applyMapDelta(previous: MapEntry[] | undefined, frame: MapSnapshot): MapEntry[] {
  if (frame.full !== false || !previous) return frame.entries;
  const removed = new Set((frame.removed ?? []).map(entryKey));
  const changed = new Map(frame.entries.map((e) => [entryKey(e.key), e]));
  const next: MapEntry[] = [];
  for (const entry of previous) {
    const id = entryKey(entry.key);
    if (removed.has(id)) continue;
    next.push(changed.get(id) ?? entry);
    changed.delete(id);
  }
  return [...next, ...changed.values()];
}

export const programMetaSchema = z.object({
  name: z.string(),
  section: z.string(),
  type: z.string(),
  instructions: z.number(),
  attached: z.boolean(),
  /** Why it did not attach, in one sentence. */
  attachError: z.string().optional(),
});
export type ProgramMeta = z.infer<typeof programMetaSchema>;

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

export const exampleSchema = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  /** What the Output pane should show, and how to make it happen. */
  expect: z.string(),
  files: z.array(sourceFileSchema),
  seeds: z.array(mapSeedSchema),
  /** Which trigger button helps: run a program, or open a file. */
  trigger: z.enum(['exec', 'open', 'none']),
});
export type Example = z.infer<typeof exampleSchema>;

// ---- lessons ----

/** A number, or "${fact}": a value the workload chose at random for this check (its pid, a count…). */
const factNumber = z.union([z.number(), z.string().regex(/^\$\{\w+\}$/)]);
/** A number, a string, or a "${fact}"; strings may embed facts ("ppid=${pid}"). */
const factValue = z.union([z.number(), z.string().max(256)]);

/**
 * What a lesson's check starts, in a fresh child process, while the program
 * is attached. Only these kinds exist: a lesson (or a CLI user) names one and
 * its count range; the server picks the random values.
 */
export const workloadSpecSchema = z.object({
  kind: z.enum(['exec', 'kill', 'open', 'sleep']),
  count: z.tuple([z.number().int().min(1).max(50), z.number().int().min(1).max(50)]),
});
export type WorkloadSpec = z.infer<typeof workloadSpecSchema>;

export const checkSpecSchema: z.ZodType<CheckSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('trace'), from: z.enum(['workload', 'any']), contains: z.string().max(256), atLeast: factNumber }),
    z.object({
      kind: z.literal('map_entry'),
      map: z.string().max(64).optional(),
      key: factValue,
      value: z.union([z.object({ equals: factNumber }), z.object({ atLeast: factNumber })]),
    }),
    z.object({ kind: z.literal('map_grows'), map: z.string().max(64).optional(), atLeast: factNumber }),
    z.object({ kind: z.literal('event'), includes: z.array(factValue).min(1).max(8) }),
    z.object({ kind: z.literal('histogram'), map: z.string().max(64).optional(), bucket: factNumber, atLeast: factNumber }),
    z.object({ kind: z.literal('all'), checks: z.array(checkSpecSchema).min(1).max(8) }),
  ]),
);
type FactNumber = number | string;
export type CheckSpec =
  | { kind: 'trace'; from: 'workload' | 'any'; contains: string; atLeast: FactNumber }
  | { kind: 'map_entry'; map?: string; key: FactNumber; value: { equals: FactNumber } | { atLeast: FactNumber } }
  | { kind: 'map_grows'; map?: string; atLeast: FactNumber }
  | { kind: 'event'; includes: FactNumber[] }
  | { kind: 'histogram'; map?: string; bucket: FactNumber; atLeast: FactNumber }
  | { kind: 'all'; checks: CheckSpec[] };

/** A lesson as the page shows it: its text in steps, hints, and starter files. Its solution stays on the server. */
export const lessonSchema = z.object({
  name: z.string(),
  title: z.string(),
  summary: z.string(),
  /** The Markdown text, cut at its `## ` headings. */
  steps: z.array(z.object({ title: z.string(), markdown: z.string() })),
  hints: z.array(z.string()),
  files: z.array(sourceFileSchema),
  seeds: z.array(mapSeedSchema),
  workload: workloadSpecSchema,
});
export type Lesson = z.infer<typeof lessonSchema>;

/** What the check's workload chose at random, shown with the result. */
export const workloadFactsSchema = z.record(z.string(), z.union([z.number(), z.string()]));
export type WorkloadFacts = z.infer<typeof workloadFactsSchema>;

// ---- workshop rooms ----

/** Room codes: six letters and digits, none that read alike (0/O, 1/I/L). */
export const ROOM_CODE = /^[A-HJKMNP-Z2-9]{6}$/;

/** What a participant's last Run came to, for the instructor's board. */
export const lastRunSchema = z.object({
  state: runStateSchema,
  stage: stageSchema,
  /** The error, in the sentence the participant saw. */
  message: z.string().optional(),
  at: z.number(),
});
export type LastRun = z.infer<typeof lastRunSchema>;

export const participantSchema = z.object({
  id: z.string(),
  name: z.string(),
  connected: z.boolean(),
  lesson: z.string().nullable(),
  step: z.number().int(),
  /** Lessons whose check passed in this room (judged by the server). */
  passed: z.array(z.string()),
  lastRun: lastRunSchema.nullable(),
  hand: z.boolean(),
  joinedAt: z.number(),
});
export type Participant = z.infer<typeof participantSchema>;

/** What the instructor pushed to everyone: a bundled lesson, or files (a snippet) with seeds. */
export const roomPushSchema = z.object({
  lesson: z.string().max(64).optional(),
  files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
  seeds: z.array(mapSeedSchema).max(256).optional(),
  at: z.number(),
});
export type RoomPush = z.infer<typeof roomPushSchema>;

/** What the host did when the backend tried one kind of program at start. */
export const capabilitySchema = z.object({
  /** The SEC() prefix, e.g. `kprobe`, `tp_btf`, `fentry`. */
  section: z.string(),
  /** libbpf's program type name. */
  type: z.string(),
  loads: z.boolean(),
  /** null when the type cannot be attached by libbpf alone (xdp, socket…) or did not load. */
  attaches: z.boolean().nullable(),
  /** Why not, in one sentence, when it does not work. */
  note: z.string().optional(),
});
export type Capability = z.infer<typeof capabilitySchema>;

/** A kernel the server offers: its own (`host`), or one that every session gets a fresh microVM of (`vm`). */
export const kernelInfoSchema = z.object({
  /** What the page, the CLI (`--kernel`) and the config call it: `host`, `6.12`, `6.1`. */
  name: z.string(),
  /** For the picker: `6.12 (VM)`, `host 6.18`. */
  label: z.string(),
  kind: z.enum(['host', 'vm']),
  /** The kernel's exact release (`uname -r`). */
  release: z.string(),
  /** Probed once per kernel and toolchain, not assumed. */
  capabilities: z.array(capabilitySchema),
  /** The kernel a Run gets when it names none. */
  default: z.boolean(),
});
export type KernelInfo = z.infer<typeof kernelInfoSchema>;

export const hostInfoSchema = z.object({
  kernel: z.string(),
  arch: z.string(),
  btf: z.boolean(),
  /** Sentences saying what stops this host from loading BPF, empty when it can. */
  problems: z.array(z.string()),
  /** Probed at start, not assumed: empty until the probe has run. */
  capabilities: z.array(capabilitySchema).optional(),
  /** The kernels a Run may choose, the default first. */
  kernels: z.array(kernelInfoSchema).default([]),
});
export type HostInfo = z.infer<typeof hostInfoSchema>;

// ---- client → server ----

export const clientMessageSchema = z.discriminatedUnion('type', [
  /**
   * The first message on every connection. `resume` picks up a session whose
   * connection dropped, within the grace period, with the token its welcome gave.
   */
  z.object({
    type: z.literal('hello'),
    id: requestId,
    version: z.number().int(),
    client: z.string().max(64),
    resume: z.object({ sessionId: z.string().max(64), token: z.string().max(64) }).optional(),
  }),
  z.object({ type: z.literal('get_examples'), id: requestId }),
  z.object({
    type: z.literal('run'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES),
    seeds: z.array(mapSeedSchema).max(256).default([]),
    /** A kernel's name from `hello.host.kernels`; the default kernel when left out. */
    kernel: z.string().max(32).optional(),
  }),
  z.object({ type: z.literal('stop'), id: requestId }),
  /** The Inspect tabs were opened: send the current run's `inspect` (made on this first ask, then cached with the object). */
  z.object({ type: z.literal('inspect'), id: requestId }),
  /**
   * Compile these files now, into the cache, without running them: the page
   * sends this when the user pauses typing, so Run finds the object built.
   * Replied to once the compile is done, skipped, or refused.
   */
  z.object({ type: z.literal('prepare'), id: requestId, files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES), kernel: z.string().max(32).optional() }),
  z.object({
    type: z.literal('map_update'),
    id: requestId,
    map: z.string().max(64),
    key: jsonSchema,
    value: jsonSchema,
  }),
  z.object({ type: z.literal('map_delete'), id: requestId, map: z.string().max(64), key: jsonSchema }),
  /** How often maps are re-read and sent, in milliseconds. */
  z.object({ type: z.literal('set_map_interval'), id: requestId, ms: z.number().int().min(100).max(60_000) }),
  z.object({ type: z.literal('trigger'), id: requestId, what: z.enum(['exec', 'open']) }),
  /** Build a zip of a real libbpf project (sources, a skeleton loader in C, a Makefile) from these files and seeds. */
  z.object({
    type: z.literal('export'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES),
    seeds: z.array(mapSeedSchema).max(256).default([]),
    /** The project's name, a C identifier; the main file's name when absent. */
    name: z.string().max(64).optional(),
    /** The loader's language: C on the libbpf skeleton, or Go on cilium/ebpf and bpf2go. */
    language: z.enum(['c', 'go']).default('c'),
  }),
  /** Keep these files and seeds under a short id, for a link that opens them (and never runs them by itself). */
  z.object({ type: z.literal('share'), id: requestId, files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES), seeds: z.array(mapSeedSchema).max(256).default([]) }),
  /** The files and seeds kept under a share id. */
  z.object({ type: z.literal('get_share'), id: requestId, shareId: z.string().max(32) }),
  z.object({ type: z.literal('get_lessons'), id: requestId }),
  /**
   * Check the running program: start the lesson's workload and judge what the
   * program printed, counted or sent. A bundled lesson by name, or a spec
   * (from `ebpf-playground lesson check` on a lesson folder).
   */
  z.object({
    type: z.literal('check'),
    id: requestId,
    lesson: z.string().max(64).optional(),
    spec: z.object({ workload: workloadSpecSchema, check: checkSpecSchema }).optional(),
  }),
  /** An instructor opens a new room; the answer carries its code and the instructor's secret key. */
  z.object({ type: z.literal('room_create'), id: requestId, title: z.string().max(80).optional() }),
  /** An instructor takes their room back (after a reload or a restart) with its key. */
  z.object({ type: z.literal('room_instructor'), id: requestId, code: z.string().max(16), key: z.string().max(64) }),
  /** A participant joins with the code and a name; `rejoin` takes back their place after a reload. */
  z.object({
    type: z.literal('room_join'),
    id: requestId,
    code: z.string().max(16),
    name: z.string().trim().min(1).max(40),
    rejoin: z.object({ participantId: z.string().max(64), key: z.string().max(64) }).optional(),
  }),
  z.object({ type: z.literal('room_leave'), id: requestId }),
  /** A participant's editor and lesson step, for the board and the read-only view. */
  z.object({
    type: z.literal('room_update'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
    lesson: z.string().max(64).nullable().optional(),
    step: z.number().int().min(0).max(100).optional(),
  }),
  z.object({ type: z.literal('room_hand'), id: requestId, raised: z.boolean() }),
  /** Instructor: send a bundled lesson, or files and seeds, to every participant. */
  z.object({
    type: z.literal('room_push'),
    id: requestId,
    lesson: z.string().max(64).optional(),
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
    seeds: z.array(mapSeedSchema).max(256).default([]),
  }),
  /** Instructor: follow one participant's editor and output, read-only; null stops. */
  z.object({ type: z.literal('room_view'), id: requestId, participantId: z.string().max(64).nullable() }),
  /** Instructor: lower a participant's hand. */
  z.object({ type: z.literal('room_lower_hand'), id: requestId, participantId: z.string().max(64) }),
  /** Decode a ring buffer's or perf buffer's records as this struct (a name from the object's BTF), or null for hex. */
  z.object({ type: z.literal('set_event_type'), id: requestId, map: z.string().max(64), typeName: z.string().max(128).nullable() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
export type ClientMessageInput = z.input<typeof clientMessageSchema>;

// ---- server → client ----

export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    id: requestId,
    version: z.number().int(),
    sessionId: z.string(),
    /** Secret: send it back in `hello.resume` to reconnect to this session. */
    resumeToken: z.string(),
    /** True when this connection picked up an existing session (its run, if any, goes on). */
    resumed: z.boolean(),
    /** When the session ends, in milliseconds since the epoch. */
    expiresAt: z.number(),
    host: hostInfoSchema,
  }),
  /** The session is over (lifetime reached, idle, or the server is shutting down); the connection closes next. */
  z.object({ type: z.literal('session_end'), reason: z.string() }),
  /** The answer to a request: ok, or one error the user can read. */
  z.object({ type: z.literal('reply'), id: requestId, ok: z.boolean(), error: playgroundErrorSchema.optional() }),
  z.object({ type: z.literal('examples'), id: requestId, examples: z.array(exampleSchema) }),
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
  }),
  /** What was built, for the Inspect tabs: ELF sections, disassembly with source, BTF. */
  z.object({
    type: z.literal('inspect'),
    runId: requestId,
    sections: z.array(elfSectionSchema),
    /** llvm-objdump -S: bytecode with the C source interleaved. */
    disassembly: z.string(),
    /** bpftool btf dump of the object, in C. */
    btf: z.string(),
  }),
  /** After load: the verifier's translated program and the JITed code, per program. */
  z.object({
    type: z.literal('loaded_code'),
    runId: requestId,
    programs: z.array(z.object({ name: z.string(), xlated: z.string(), jited: z.string().nullable() })),
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
  /** The answer to `share`: the id a link carries (`/?share=ID`). */
  z.object({ type: z.literal('shared'), id: requestId, ok: z.boolean(), shareId: z.string().optional(), error: playgroundErrorSchema.optional() }),
  /** The answer to `get_share`. */
  z.object({
    type: z.literal('share_content'),
    id: requestId,
    ok: z.boolean(),
    files: z.array(sourceFileSchema).optional(),
    seeds: z.array(mapSeedSchema).optional(),
    createdAt: z.number().optional(),
    error: playgroundErrorSchema.optional(),
  }),
  /** The answer to `export`: the project as a zip, base64-encoded. */
  z.object({
    type: z.literal('exported'),
    id: requestId,
    ok: z.boolean(),
    fileName: z.string().optional(),
    zipBase64: z.string().optional(),
    error: playgroundErrorSchema.optional(),
  }),
  /** The bundled course. */
  z.object({
    type: z.literal('lessons'),
    id: requestId,
    course: z.object({ title: z.string(), description: z.string() }),
    lessons: z.array(lessonSchema),
  }),
  /** The answer to `check`: pass or not, and one sentence saying what was seen. */
  z.object({
    type: z.literal('check_result'),
    id: requestId,
    ok: z.boolean(),
    lesson: z.string().optional(),
    pass: z.boolean().optional(),
    message: z.string().optional(),
    facts: workloadFactsSchema.optional(),
    error: playgroundErrorSchema.optional(),
  }),
  /** The answer to room_create, room_instructor and room_join: who this connection is in the room. */
  z.object({
    type: z.literal('room'),
    id: requestId,
    ok: z.boolean(),
    role: z.enum(['instructor', 'participant']).optional(),
    code: z.string().optional(),
    title: z.string().optional(),
    /** Secret: keep it to take this place back after a reload. */
    key: z.string().optional(),
    participantId: z.string().optional(),
    /** The last thing the instructor pushed, for a participant joining late. */
    pushed: roomPushSchema.nullable().optional(),
    error: playgroundErrorSchema.optional(),
  }),
  /** Instructor: everyone in the room, sent again on every change. */
  z.object({ type: z.literal('room_board'), code: z.string(), participants: z.array(participantSchema) }),
  /** Participant: the instructor pushed a lesson or a snippet. */
  z.object({ type: z.literal('room_pushed'), push: roomPushSchema }),
  /** Participant: the instructor lowered your hand. */
  z.object({ type: z.literal('room_hand_lowered') }),
  /** Instructor: the participant being viewed, read-only: their files, their last run, their latest output lines. */
  z.object({
    type: z.literal('participant_view'),
    participantId: z.string(),
    name: z.string(),
    files: z.array(sourceFileSchema),
    lastRun: lastRunSchema.nullable(),
    /** The newest lines (the view keeps a window, not everything). */
    trace: z.array(traceLineSchema),
    /** true: `trace` holds only lines since the previous view message. */
    appended: z.boolean(),
  }),
  /** The kernel's run-time accounting for each program, cumulative since attach. */
  z.object({
    type: z.literal('stats'),
    runId: requestId,
    programs: z.array(z.object({ name: z.string(), runCount: z.number(), runTimeNs: z.number() })),
    /** Share of one CPU the programs used over the budget window (0.25 = a quarter of a core). */
    cpuShare: z.number(),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: string };

function decodeWith<T>(schema: z.ZodType<T>, raw: string): DecodeResult<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'The message is not valid JSON.' };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `The message is malformed${where}: ${issue?.message ?? 'invalid'}.` };
  }
  return { ok: true, message: parsed.data };
}

export const decodeClientMessage = (raw: string): DecodeResult<ClientMessage> => decodeWith(clientMessageSchema, raw);
export const decodeServerMessage = (raw: string): DecodeResult<ServerMessage> => decodeWith(serverMessageSchema, raw);
export const encodeClientMessage = (message: ClientMessageInput): string => JSON.stringify(message);
export const encodeServerMessage = (message: ServerMessage): string => JSON.stringify(message);
