/**
 * Messages between the backend and a session's runner process, over Node's
 * IPC channel with the 'advanced' serialization (Buffers pass as bytes).
 * Only the runner loads the native addon: a crash in libbpf or the kernel
 * interface ends one session's runner, never the backend.
 */
import type { AttachResult, LoadResult, MapInfo, PerfEventName, ProgramInfo, ProgramStats } from '../../native/index.ts';
import type { UserProbePlan } from '../run/user-probes.ts';

export interface OpenResult {
  programs: ProgramInfo[];
  /** Each program's compiled instructions, by program name, for the load policy. */
  instructions: Record<string, Uint8Array>;
  maps: MapInfo[];
  btf: Uint8Array | null;
  possibleCpus: number;
}

export interface DumpReply {
  keys: Uint8Array;
  values: Uint8Array;
  count: number;
  /** Read with BPF_MAP_LOOKUP_BATCH (else one key at a time). */
  batched: boolean;
  /** Asked `ifChanged` and the bytes are the same as last time: `keys` and `values` are empty. */
  unchanged?: boolean;
}

/** Something a program attaches to, to be looked up in the kernel: a function, `category/name` tracepoint, or raw tracepoint. */
export interface AttachTarget {
  kind: 'function' | 'tracepoint' | 'raw_tracepoint';
  name: string;
}

/** What the backend changes in an opened object before load, as a loader would (see server/run/fit-object.ts). */
export interface ObjectAdjustments {
  maxEntries: { map: string; entries: number }[];
  valueSize: { map: string; bytes: number }[];
  /** Programs left out of load and attach. */
  skipPrograms: string[];
}

/** Every call the backend can make, with its arguments and what it returns. */
export interface RunnerCalls {
  /** `logSize`: the verifier log buffer; a bigger one after a load failed with ENOSPC. */
  /** `btf`: a minimal kernel BTF for the object's CO-RE relocations (see generateMinimalBtf). */
  /** `logLevel` 2: the verifier logs every step (1 by default). */
  open: { args: { object: Uint8Array; name: string; logSize?: number; logLevel?: 1 | 2; btf?: Uint8Array }; result: OpenResult };
  /** Which attach targets this kernel has: asked where the kernel is (host or guest), before load. */
  findTargets: { args: { targets: AttachTarget[] }; result: (boolean | null)[] };
  /** Fits the opened object to the kernel and the limits, before load: map sizes, programs left out. */
  adjust: { args: ObjectAdjustments; result: { programs: ProgramInfo[]; maps: MapInfo[] } };
  load: { args: Record<string, never>; result: LoadResult & { programs: ProgramInfo[]; maps: MapInfo[] } };
  /** `perfFrequency`: perf_event programs sample every CPU's clock this often (config `limits.perfEventFrequency`). */
  /**
   * `perfEvent`: what perf_event programs sample on every CPU. `userProbes`: uprobe and usdt programs
   * attached one by one (`'target'`: a fresh copy of the `target` program, started here as nobody,
   * and its process). `skip`: programs left detached. The rest attach as libbpf's auto-attach would.
   */
  attachAll: {
    args: { perfFrequency: number; perfEvent?: PerfEventName; userProbes?: UserProbePlan[]; target?: string; skip?: string[] };
    result: { results: AttachResult[]; programs: ProgramInfo[]; targetPid?: number };
  };
  /** `lock`: the value holds a bpf_spin_lock, written under it (BPF_F_LOCK). */
  update: { args: { map: string; key: Uint8Array; value: Uint8Array; lock?: boolean }; result: null };
  delete: { args: { map: string; key: Uint8Array }; result: null };
  /** One value, or null when the key is absent. */
  /** `lock`: the value holds a bpf_spin_lock, read under it (BPF_F_LOCK). */
  lookup: { args: { map: string; key: Uint8Array; lock?: boolean }; result: Uint8Array | null };
  /** A queue's or stack's head, left in place; null when it is empty. */
  peek: { args: { map: string }; result: Uint8Array | null };
  /** Adds a value to a queue or stack (fails with E2BIG when it is full). */
  push: { args: { map: string; value: Uint8Array }; result: null };
  /** Takes a queue's or stack's head off; null when it is empty. */
  pop: { args: { map: string }; result: Uint8Array | null };
  /** `ifChanged`: answer `unchanged` instead of the entries when they are byte for byte what the last dump read. */
  dump: { args: { map: string; max: number; ifChanged?: boolean; lock?: boolean }; result: DumpReply };
  /**
   * Streams a ring buffer's or perf event array's records to the backend as
   * `RunnerEvents` notices, at most `maxPerSecond` records a second (the rest
   * are dropped here and counted: IPC is not a place to queue without bound).
   */
  /** Streams a ring buffer or perf event array: the session's rate, and the caps that keep a flood bounded (config `limits.events`). */
  consume: { args: { map: string; maxPerSecond: number; sendsInFlight: number; passRecords: number; passBytes: number }; result: null };
  /** An internal map's (.rodata, .data, .bss) contents as compiled, before load. */
  initialValue: { args: { map: string }; result: Uint8Array | null };
  /** Replaces an internal map's contents before load: how `const volatile` settings are set. */
  setInitialValue: { args: { map: string; value: Uint8Array }; result: null };
  /** Run time and count per program, from the kernel's BPF stats (enabled at load). */
  stats: { args: Record<string, never>; result: ProgramStats[] };
  /** Detaches and closes the current collection; the runner stays for the next Run. */
  close: { args: Record<string, never>; result: null };
}

export type RunnerOp = keyof RunnerCalls;

export interface RunnerRequest<K extends RunnerOp = RunnerOp> {
  id: number;
  op: K;
  args: RunnerCalls[K]['args'];
}

/** A BpfError as data: the class does not cross the process boundary. */
export interface RunnerError {
  message: string;
  errno: number;
  code: string;
  verifierLog: string | null;
  libbpfLog: string;
}

export type RunnerReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: RunnerError };

/** Records from a consumed map, sent without being asked. */
export interface RunnerEvents {
  kind: 'events';
  map: string;
  records: Uint8Array[];
  /** Records the kernel lost (perf buffers report them). */
  lost: number;
  /** Records the runner dropped since the last notice: over the rate, or while IPC was backed up. */
  dropped: number;
}
