/*
 * The BPF loader: the only module that loads native/build/Release/bpf_addon.node.
 *
 * Vocabulary after cilium/ebpf: a Collection owns its programs, maps and links,
 * and close() releases all of them. The C++ side calls libbpf and reports what
 * happened; arguments are validated and options interpreted here.
 *
 *   class BpfError extends Error { errno; code; verifierLog: string | null; libbpfLog }
 *   class Collection {
 *     static open(object: Buffer, opts?: OpenOptions): Collection
 *     static possibleCpus(): number
 *     readonly closed: boolean
 *     readonly loaded: boolean
 *     readonly libbpfLog: string
 *     programs(): ProgramInfo[]
 *     maps(): MapInfo[]
 *     btf(): Buffer | null
 *     initialValue(map: string): Buffer | null
 *     setInitialValue(map: string, value: Buffer): void
 *     setMaxEntries(map: string, entries: number): void
 *     setValueSize(map: string, bytes: number): void
 *     setAutoload(program: string, autoload: boolean): void
 *     load(): Promise<LoadResult>
 *     attachAll(opts?: AttachOptions): AttachResult[]
 *     detach(): void
 *     lookup(map: string, key: Buffer, opts?: { lock?: boolean }): Buffer | null
 *     peek(map: string): Buffer | null          (queue/stack: the head, left in place)
 *     push(map: string, value: Buffer, flags?: number): void
 *     pop(map: string): Buffer | null
 *     update(map: string, key: Buffer, value: Buffer, flags?: number): void
 *     delete(map: string, key: Buffer): void
 *     dump(map: string, max: number, opts?: { batch?: boolean; lock?: boolean }): Promise<DumpResult>
 *     consume(map: string, onBatch: (batch: EventBatch) => void, opts?: ConsumeOptions): () => void
 *     close(): void
 *   }
 *
 * Typical flow: open -> setMaxEntries / setAutoload (fit the object to the
 * kernel) -> setInitialValue (.rodata settings) -> load -> update
 * (seed map keys) -> consume (ring/perf buffers) -> attachAll -> lookup/dump
 * while it runs -> close.
 */
import { createRequire } from 'node:module';

/** Error codes that are not kernel errno names. */
export type BpfStateCode =
  /** The collection was closed (errno EBADF). */
  | 'ECLOSED'
  /** Maps have no kernel fd before a successful load() (errno EBADFD). */
  | 'ENOTLOADED';

/** What a libbpf/kernel failure carries besides its message. */
export interface BpfErrorFields {
  /** Positive errno (or a libbpf `LIBBPF_ERRNO__*` value, 4000 and up). */
  errno: number;
  /** The errno's name (`'EACCES'`), or a {@link BpfStateCode}. */
  code: string;
  /** The kernel verifier log, for load failures; otherwise null. */
  verifierLog?: string | null;
  /** What libbpf printed during the failing call. */
  libbpfLog?: string;
}

/**
 * A failure reported by libbpf or the kernel, or a call made in the wrong
 * state. The message says what failed and why: "load failed: Permission denied".
 */
export class BpfError extends Error {
  /** Positive errno (or a libbpf `LIBBPF_ERRNO__*` value, 4000 and up). */
  readonly errno: number;
  /** The errno's name (`'EACCES'`, `'ENOSPC'`), or a {@link BpfStateCode}. */
  readonly code: string;
  /** The kernel verifier log for load failures, else null. */
  readonly verifierLog: string | null;
  /** What libbpf printed during the failing call (`libbpf: prog 'x': ...`). */
  readonly libbpfLog: string;

  constructor(message: string, fields: BpfErrorFields) {
    super(message);
    this.name = 'BpfError';
    this.errno = fields.errno;
    this.code = fields.code;
    this.verifierLog = fields.verifierLog ?? null;
    this.libbpfLog = fields.libbpfLog ?? '';
  }
}

/** Options for {@link Collection.open}. */
export interface OpenOptions {
  /** Object name; libbpf prefixes internal map names with it. Default: libbpf's own. */
  name?: string;
  /** Kernel verifier log level: 0 logs only on failure, 1 always, 2 verbose. Default 1. */
  logLevel?: 0 | 1 | 2;
  /**
   * Verifier log buffer in bytes, 128 to 2^30-1. Default 4 MiB. Too small a
   * buffer makes load() fail with code 'ENOSPC' (and libbpf drops the BTF);
   * open again with a larger one.
   */
  logSize?: number;
  /** Also collect libbpf's debug-level messages (very verbose). Default false. */
  libbpfDebug?: boolean;
  /**
   * A BTF file to do CO-RE relocations against instead of the kernel's
   * (libbpf's btf_custom_path). It must describe this kernel: a file from
   * `bpftool gen min_core_btf` for this object loads in a fraction of the time.
   */
  btfPath?: string;
}

/** A program of the object, as libbpf sees it. */
export interface ProgramInfo {
  name: string;
  /** ELF section, e.g. `tracepoint/syscalls/sys_enter_execve`. */
  section: string;
  /** `enum bpf_prog_type`. */
  type: number;
  /** libbpf's name for the type, e.g. `tracepoint`. */
  typeName: string;
  /** `enum bpf_attach_type`. */
  expectedAttachType: number;
  /** Instruction count (final once loaded). */
  insnCount: number;
  /** Whether load() loads it and attachAll() attaches it. */
  autoload: boolean;
  /** Kernel program id after load, else null. */
  id: number | null;
  /** After load: how many instructions the verifier processed for it (null before load, or where the kernel does not say). */
  verifiedInsns: number | null;
  /** The last lines of its own load log (verification time, stack depth, processed insns and states), after a load; null before. */
  verifierStats: string | null;
  /** Whether this collection holds a link for it. */
  attached: boolean;
}

/** A map of the object, as libbpf sees it. */
export interface MapInfo {
  /** The name map calls take: the C name, or the section for internal maps (`.bss`). */
  name: string;
  /** The name the kernel shows (internal maps carry an object prefix). */
  kernelName: string;
  /** `enum bpf_map_type`. */
  type: number;
  /** libbpf's name for the type, e.g. `hash`. */
  typeName: string;
  keySize: number;
  valueSize: number;
  /** Bytes per value in user space: valueSize, or roundup(valueSize, 8) * possibleCpus() for per-CPU maps. */
  valueStride: number;
  maxEntries: number;
  flags: number;
  btfKeyTypeId: number;
  btfValueTypeId: number;
  /** Kernel map id after load, else null. */
  id: number | null;
  /** `.bss`, `.data`, `.rodata` or `.kconfig`. */
  isInternal: boolean;
}

/** What {@link Collection.load} resolves with. */
export interface LoadResult {
  /** The kernel's verifier log (with several programs, the last one loaded). */
  verifierLog: string;
  /** What libbpf printed while loading. */
  libbpfLog: string;
}

/** Options for {@link Collection.attachAll}. */
export interface AttachOptions {
  /**
   * perf_event programs are attached to a software CPU clock on every online
   * CPU (no hardware counter needed), sampling this many times a second. Default 49.
   */
  perfFrequency?: number;
  /** What perf_event programs sample on each CPU: the software CPU clock by default, or a hardware counter. */
  perfEvent?: PerfEventName;
  /** Programs to leave alone: those the caller attaches itself (uprobes bound to one process). */
  skip?: string[];
}

/** perf events a perf_event program can sample: `perf list`'s names, with (perf_event_attr.type, .config). */
export const PERF_EVENTS = {
  'cpu-clock': { type: 1, config: 0, hardware: false }, // PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK
  cycles: { type: 0, config: 0, hardware: true }, // PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES
  instructions: { type: 0, config: 1, hardware: true },
  'cache-references': { type: 0, config: 2, hardware: true },
  'cache-misses': { type: 0, config: 3, hardware: true },
  'branch-misses': { type: 0, config: 5, hardware: true },
} as const;
export type PerfEventName = keyof typeof PERF_EVENTS;

/** Where {@link Collection.attachUprobe} puts a uprobe: a function of a binary, in one process or all. */
export interface UprobeTarget {
  binary: string;
  functionName: string;
  retprobe: boolean;
  /** -1: every process that runs the binary. */
  pid: number;
}

/** Where {@link Collection.attachUsdt} puts a USDT program: a probe of a binary, in one process or all. */
export interface UsdtTarget {
  binary: string;
  provider: string;
  name: string;
  /** -1: every process that runs the binary. */
  pid: number;
}

function checkPid(pid: number): void {
  if (!Number.isInteger(pid) || pid < -1 || pid === 0 || pid > 2 ** 31 - 1) throw new RangeError('pid must be -1 (every process) or a process id');
}

/** An odd rate, so samples do not march in step with timers that tick at round ones. */
const DEFAULT_PERF_FREQUENCY = 49;

/** One autoload program's outcome in {@link Collection.attachAll}. */
export interface AttachResult {
  program: string;
  section: string;
  attached: boolean;
  /** Set when attached is false. */
  errno?: number;
  /** Set when attached is false; `'EOPNOTSUPP'` for programs libbpf cannot auto-attach (xdp, socket, ...). */
  code?: string;
  /** Set when attached is false, e.g. "attach failed: Operation not supported". */
  message?: string;
  /** What libbpf printed while attaching this program; set when attached is false. */
  libbpfLog?: string;
  /** perf_event programs: how many CPUs' clocks it was attached to. */
  cpus?: number;
}

/** What {@link Collection.dump} resolves with. */
export interface DumpResult {
  /** count * keySize bytes. */
  keys: Buffer;
  /** count * valueStride bytes. */
  values: Buffer;
  count: number;
  /** Whether BPF_MAP_LOOKUP_BATCH was used (else get_next_key + lookup). */
  batched: boolean;
  keySize: number;
  valueStride: number;
}

/** What {@link Collection.programStats} reports per program. */
export interface ProgramStats {
  name: string;
  /** Nanoseconds spent running the program since stats were enabled. */
  runTimeNs: number;
  runCount: number;
}

/** Options for {@link Collection.consume}. */
export interface ConsumeOptions {
  /**
   * Pages (4 KiB) of kernel buffer per CPU for a perf event array: a power of
   * two, at most 4096. Default 8. Ignored for ring buffers, whose size is the
   * map's maxEntries.
   */
  perfPages?: number;
  /** Most records per onBatch call, at least 1. Default 1024. */
  maxBatch?: number;
  /**
   * Most records, and bytes, one pass takes from the kernel; the rest stays
   * there for the next loop turn, so a flooding program cannot make the
   * consumer buffer without bound. Defaults 65,536 and 16 MiB.
   */
  passRecords?: number;
  passBytes?: number;
}

/** What {@link Collection.consume} hands to its callback. */
export interface EventBatch {
  /**
   * Records in arrival order (per CPU for perf buffers). The records of one
   * batch are views of one shared buffer: copy one (`Buffer.from(r)`) to keep
   * it alone. Perf records may carry padding after the program's data. Empty
   * when a batch only reports lost records.
   */
  records: Buffer[];
  /**
   * Records the kernel dropped since the previous batch because the perf
   * buffer was full. Always 0 for ring buffers: there a full ring makes
   * bpf_ringbuf_reserve() fail, and the program can count that itself.
   */
  lost: number;
}

/** Flags for {@link Collection.update}. */
export const UpdateFlags = {
  /** Create or replace. */
  ANY: 0,
  /** Create only. */
  NOEXIST: 1,
  /** Replace only. */
  EXIST: 2,
  /** Update under the value's bpf_spin_lock (may be or-ed with the others). */
  LOCK: 4,
} as const;

type NativeHandle = { readonly __brand: 'bpf_collection' };
type NativePhase = 'opened' | 'loading' | 'loaded' | 'load_failed' | 'closed';
type NativeProgramInfo = Omit<ProgramInfo, 'typeName'> & { typeName: string | null };
type NativeMapInfo = Omit<MapInfo, 'typeName'> & { typeName: string | null };

interface NativeBinding {
  setErrorClass(cls: typeof BpfError): void;
  possibleCpus(): number;
  open(object: Buffer, name: string | null, logLevel: number, logSize: number, libbpfDebug: boolean, btfPath: string | null): NativeHandle;
  programs(h: NativeHandle): NativeProgramInfo[];
  maps(h: NativeHandle): NativeMapInfo[];
  btf(h: NativeHandle): Buffer | null;
  instructions(h: NativeHandle, program: string): Buffer;
  enableStats(h: NativeHandle): void;
  programStats(h: NativeHandle): ProgramStats[];
  initialValue(h: NativeHandle, map: string): Buffer | null;
  setInitialValue(h: NativeHandle, map: string, value: Buffer): void;
  resizeMap(h: NativeHandle, map: string, field: 'max_entries' | 'value_size', value: number): void;
  setAutoload(h: NativeHandle, program: string, autoload: boolean): void;
  load(h: NativeHandle): Promise<LoadResult>;
  attachAll(h: NativeHandle, perfFrequency: number, perfType: number, perfConfig: number, skip: string[]): AttachResult[];
  attachUprobe(h: NativeHandle, program: string, binary: string, functionName: string, retprobe: boolean, pid: number): AttachResult;
  attachUsdt(h: NativeHandle, program: string, binary: string, provider: string, name: string, pid: number): AttachResult;
  detach(h: NativeHandle): void;
  lookup(h: NativeHandle, map: string, key: Buffer, flags: number): Buffer | null;
  peek(h: NativeHandle, map: string): Buffer | null;
  pop(h: NativeHandle, map: string): Buffer | null;
  update(h: NativeHandle, map: string, key: Buffer, value: Buffer, flags: number): void;
  delete(h: NativeHandle, map: string, key: Buffer): void;
  dump(h: NativeHandle, map: string, max: number, tryBatch: boolean, flags: number): Promise<DumpResult>;
  /** Record i of a call is data[ends[i-1] .. ends[i]). Returns the consumer id. */
  consume(
    h: NativeHandle,
    map: string,
    perfPages: number,
    maxBatch: number,
    passRecords: number,
    passBytes: number,
    callback: (data: Buffer, ends: Uint32Array, lost: number) => void,
  ): number;
  stopConsume(h: NativeHandle, id: number): void;
  close(h: NativeHandle): void;
  phase(h: NativeHandle): NativePhase;
  libbpfLog(h: NativeHandle): string;
}

// BPF_ADDON_PATH lets the bundled runner (native/build/runner.mjs) find the addon from where it runs.
const binding = createRequire(import.meta.url)(process.env.BPF_ADDON_PATH ?? './build/Release/bpf_addon.node') as NativeBinding;
binding.setErrorClass(BpfError);

const DEFAULT_LOG_SIZE = 4 * 1024 * 1024;
// The kernel rejects verifier log buffers outside [128, UINT32_MAX >> 2].
const MIN_LOG_SIZE = 128;
const MAX_LOG_SIZE = 2 ** 30 - 1;
const UPDATE_FLAG_MASK = UpdateFlags.NOEXIST | UpdateFlags.EXIST | UpdateFlags.LOCK;
// enum bpf_map_type values that consume() reads.
const MAP_TYPE_PERF_EVENT_ARRAY = 4;
const MAP_TYPE_RINGBUF = 27;
// enum bpf_map_type values that peek(), push() and pop() work on.
const MAP_TYPE_QUEUE = 22;
const MAP_TYPE_STACK = 23;
const DEFAULT_PERF_PAGES = 8;
const MAX_PERF_PAGES = 4096;
const DEFAULT_MAX_BATCH = 1024;

function stateError(code: BpfStateCode, errno: number, message: string): BpfError {
  return new BpfError(message, { errno, code });
}

function assertBuffer(value: unknown, what: string): asserts value is Buffer {
  if (!Buffer.isBuffer(value)) throw new TypeError(`${what} must be a Buffer`);
}

/**
 * One BPF object: its programs, maps and the links attaching them. Made by
 * {@link Collection.open}; release it with {@link Collection.close} (a
 * finalizer and environment teardown also close it, but do not rely on GC).
 *
 * While load() runs, calls that use the libbpf object (programs(), maps(),
 * map access, attachAll(), a second load()) fail with code 'EBUSY'; close()
 * during a load marks the collection closed at once and frees it when the
 * load finishes.
 */
export class Collection {
  readonly #handle: NativeHandle;
  // Map metadata by name, refreshed after load (libbpf may adjust sizes).
  #maps: Map<string, MapInfo> | null = null;

  private constructor(handle: NativeHandle) {
    this.#handle = handle;
  }

  /**
   * Parses an ELF object from memory (bpf_object__open_mem); nothing reaches
   * the kernel yet. Cheap and synchronous. The buffer is copied.
   * @throws BpfError on a malformed object (libbpfLog says why).
   */
  static open(object: Buffer, opts: OpenOptions = {}): Collection {
    assertBuffer(object, 'object');
    const { name, logLevel = 1, logSize = DEFAULT_LOG_SIZE, libbpfDebug = false, btfPath } = opts;
    if (btfPath !== undefined && (typeof btfPath !== 'string' || btfPath.length === 0 || btfPath.includes('\0'))) {
      throw new TypeError('btfPath must be a non-empty string');
    }
    if (name !== undefined && (typeof name !== 'string' || name.length === 0 || name.includes('\0'))) {
      throw new TypeError('name must be a non-empty string');
    }
    if (logLevel !== 0 && logLevel !== 1 && logLevel !== 2) {
      throw new RangeError('logLevel must be 0, 1 or 2');
    }
    if (!Number.isInteger(logSize) || logSize < MIN_LOG_SIZE || logSize > MAX_LOG_SIZE) {
      throw new RangeError(`logSize must be an integer in [${MIN_LOG_SIZE}, ${MAX_LOG_SIZE}]`);
    }
    return new Collection(binding.open(object, name ?? null, logLevel, logSize, libbpfDebug, btfPath ?? null));
  }

  /** Number of possible CPUs: the row count of per-CPU map values. */
  static possibleCpus(): number {
    return binding.possibleCpus();
  }

  /** True once close() was called (even while a load is still finishing). */
  get closed(): boolean {
    return binding.phase(this.#handle) === 'closed';
  }

  /** True after a successful load() and before close(). */
  get loaded(): boolean {
    return binding.phase(this.#handle) === 'loaded';
  }

  /** Everything libbpf printed about this collection so far (capped at 256 KiB). */
  get libbpfLog(): string {
    return binding.libbpfLog(this.#handle);
  }

  /** The object's programs. */
  programs(): ProgramInfo[] {
    return binding.programs(this.#handle).map((p) => ({
      ...p,
      typeName: p.typeName ?? `prog_type_${p.type}`,
    }));
  }

  /** The object's maps, internal ones (`.bss`, `.data`, `.rodata`, `.kconfig`) included. */
  maps(): MapInfo[] {
    return binding.maps(this.#handle).map((m) => ({
      ...m,
      typeName: m.typeName ?? `map_type_${m.type}`,
    }));
  }

  /**
   * A program's instructions, 8 bytes each (struct bpf_insn). Before load they
   * are the compiled ones, with helper ids in call instructions.
   */
  instructions(program: string): Buffer {
    return binding.instructions(this.#handle, program);
  }

  /**
   * Turns on the kernel's run-time accounting (BPF_STATS_RUN_TIME) until this
   * collection closes. Accounting costs every BPF program a little, so it is
   * on only while someone watches. Throws BpfError when the kernel refuses.
   */
  enableStats(): void {
    binding.enableStats(this.#handle);
  }

  /** Cumulative run time and run count of each loaded program (zero unless stats are enabled). */
  programStats(): ProgramStats[] {
    return binding.programStats(this.#handle);
  }

  /** The object's raw BTF (btf__raw_data of bpf_object__btf), or null if it has none. */
  btf(): Buffer | null {
    return binding.btf(this.#handle);
  }

  /**
   * An internal map's initial contents as libbpf holds them: the compiled-in
   * value, or what setInitialValue() set. Not updated by running programs:
   * read live values with `lookup(map, <u32 0>)`. Null for other maps.
   */
  initialValue(map: string): Buffer | null {
    const info = this.#map(map);
    if (!info.isInternal) return null;
    return binding.initialValue(this.#handle, map);
  }

  /**
   * Sets the initial contents of an internal map (`.rodata`, `.data`, `.bss`)
   * before load(): how user space fills `const volatile` settings.
   * @param value exactly the map's valueSize bytes.
   */
  setInitialValue(map: string, value: Buffer): void {
    assertBuffer(value, 'value');
    const info = this.#map(map);
    if (!info.isInternal) throw new TypeError(`map '${map}' is not an internal map`);
    if (value.length !== info.valueSize) {
      throw new RangeError(`map '${map}': value must be ${info.valueSize} bytes, got ${value.length}`);
    }
    binding.setInitialValue(this.#handle, map, value);
  }

  /** Sets a map's max_entries before load(), as a loader shrinks a map to fit a memory limit. */
  setMaxEntries(map: string, entries: number): void {
    this.#resize(map, 'max_entries', entries);
  }

  /** Sets a map's value_size before load(): a stack-trace map that names none gets its depth this way. */
  setValueSize(map: string, bytes: number): void {
    this.#resize(map, 'value_size', bytes);
  }

  #resize(map: string, field: 'max_entries' | 'value_size', value: number): void {
    if (!Number.isInteger(value) || value <= 0 || value > 0xffffffff) throw new RangeError(`${field} must be a positive 32-bit integer, got ${value}`);
    this.#map(map);
    binding.resizeMap(this.#handle, map, field, value);
    this.#maps = null;
  }

  /** Leaves a program out of load() and attachAll() (false), or puts it back; before load(). */
  setAutoload(program: string, autoload: boolean): void {
    if (typeof program !== 'string') throw new TypeError('program must be a string');
    binding.setAutoload(this.#handle, program, autoload);
  }

  /**
   * Loads maps and programs into the kernel, off the JS thread.
   * @returns the verifier log and libbpf's messages.
   * @throws BpfError (as a rejection) with errno, code ('EACCES' for a
   *   verifier rejection, 'ENOSPC' for a too-small log), verifierLog and
   *   libbpfLog. A failed load is final: open the object again to retry.
   */
  async load(): Promise<LoadResult> {
    const result = await binding.load(this.#handle);
    this.#maps = null;
    return result;
  }

  /**
   * Attaches every autoload program not in `skip` (bpf_program__attach;
   * perf_event ones to every CPU's event). Never throws for one program's
   * failure: programs libbpf cannot auto-attach (xdp, socket) come back with
   * attached false and code 'EOPNOTSUPP'.
   * Programs already attached stay as they are.
   */
  attachAll(opts: AttachOptions = {}): AttachResult[] {
    const { perfFrequency = DEFAULT_PERF_FREQUENCY, perfEvent = 'cpu-clock', skip = [] } = opts;
    if (!Number.isInteger(perfFrequency) || perfFrequency < 1 || perfFrequency > 100_000)
      throw new RangeError('perfFrequency must be an integer in [1, 100000]');
    const event = PERF_EVENTS[perfEvent];
    if (!event) throw new RangeError(`unknown perf event ${perfEvent}`);
    return binding.attachAll(this.#handle, perfFrequency, event.type, event.config, skip).map((r) =>
      // libbpf says nothing when a section type has no auto-attach; say it here.
      r.code === 'EOPNOTSUPP' && !r.libbpfLog ? { ...r, message: `attach failed: libbpf cannot auto-attach programs in section '${r.section}'` } : r,
    );
  }

  /** Attaches a uprobe or uretprobe program to a function of a binary (libbpf finds its offset), in one process or all. */
  attachUprobe(program: string, target: UprobeTarget): AttachResult {
    checkPid(target.pid);
    return binding.attachUprobe(this.#handle, program, target.binary, target.functionName, target.retprobe, target.pid);
  }

  /** Attaches a USDT program to a binary's `provider:name` probe, in one process or all. */
  attachUsdt(program: string, target: UsdtTarget): AttachResult {
    checkPid(target.pid);
    return binding.attachUsdt(this.#handle, program, target.binary, target.provider, target.name, target.pid);
  }

  /** Destroys all links, detaching the programs; they stay loaded. Safe to call twice. */
  detach(): void {
    binding.detach(this.#handle);
  }

  /**
   * Reads one value.
   * @param opts.lock copy the value while holding its bpf_spin_lock
   *   (BPF_F_LOCK), so it is never read half-updated; the value must hold one.
   * @returns valueStride bytes (per-CPU maps: one 8-byte-aligned slot per
   *   possible CPU), or null if the key is absent.
   */
  lookup(map: string, key: Buffer, opts: { lock?: boolean } = {}): Buffer | null {
    this.#checkKey(map, key);
    return binding.lookup(this.#handle, map, key, opts.lock ? UpdateFlags.LOCK : 0);
  }

  /**
   * The head of a queue or stack map (the value pop() would return: the
   * oldest for a queue, the newest for a stack), without removing it. These
   * maps have no keys and cannot be iterated: the head is all the kernel
   * shows without emptying them.
   * @returns valueSize bytes, or null when the map is empty.
   * @throws TypeError for other map types.
   */
  peek(map: string): Buffer | null {
    this.#checkQueue(map, 'peek');
    return binding.peek(this.#handle, map);
  }

  /**
   * Adds a value to a queue or stack map.
   * @param flags {@link UpdateFlags}: ANY (default) fails with 'E2BIG' when
   *   the map is full; EXIST makes room by dropping the oldest value.
   * @throws TypeError for other map types.
   */
  push(map: string, value: Buffer, flags: number = UpdateFlags.ANY): void {
    const info = this.#checkQueue(map, 'push');
    assertBuffer(value, 'value');
    if (value.length !== info.valueSize) {
      throw new RangeError(`map '${map}': value must be ${info.valueSize} bytes, got ${value.length}`);
    }
    if (flags !== UpdateFlags.ANY && flags !== UpdateFlags.EXIST) throw new RangeError(`invalid push flags ${flags}`);
    // A zero-length key reaches the kernel as NULL, which is what a push is.
    binding.update(this.#handle, map, Buffer.alloc(0), value, flags);
  }

  /**
   * Takes the head off a queue or stack map.
   * @returns the value, or null when the map is empty.
   * @throws TypeError for other map types.
   */
  pop(map: string): Buffer | null {
    this.#checkQueue(map, 'pop');
    return binding.pop(this.#handle, map);
  }

  /**
   * Writes one value. Works between load() and attachAll(), which is how user
   * space seeds keys before programs run.
   * @param flags {@link UpdateFlags}: ANY (default), NOEXIST or EXIST, optionally | LOCK.
   */
  update(map: string, key: Buffer, value: Buffer, flags: number = UpdateFlags.ANY): void {
    const info = this.#checkKey(map, key);
    assertBuffer(value, 'value');
    if (value.length !== info.valueStride) {
      throw new RangeError(`map '${map}': value must be ${info.valueStride} bytes, got ${value.length}`);
    }
    if (!Number.isInteger(flags) || (flags & ~UPDATE_FLAG_MASK) !== 0 || (flags & 3) === 3) {
      throw new RangeError(`invalid update flags ${flags}`);
    }
    binding.update(this.#handle, map, key, value, flags);
  }

  /**
   * Deletes one key.
   * @throws BpfError with code 'ENOENT' if the key is absent ('EINVAL' for array maps).
   */
  delete(map: string, key: Buffer): void {
    this.#checkKey(map, key);
    binding.delete(this.#handle, map, key);
  }

  /**
   * Reads up to `max` entries (at most maxEntries), off the JS thread. Uses
   * BPF_MAP_LOOKUP_BATCH where the kernel has it for the map type, else
   * get_next_key + lookup. Works for array, per-CPU and internal maps too.
   * @param opts.batch false forces the one-key-at-a-time path.
   * @param opts.lock copy each value while holding its bpf_spin_lock (BPF_F_LOCK).
   */
  async dump(map: string, max: number, opts: { batch?: boolean; lock?: boolean } = {}): Promise<DumpResult> {
    const info = this.#map(map);
    if (!Number.isSafeInteger(max) || max <= 0) throw new RangeError('max must be a positive integer');
    // maxEntries bounds the entries a map can hold; it also bounds our buffers.
    const limit = info.maxEntries > 0 ? Math.min(max, info.maxEntries) : max;
    return binding.dump(this.#handle, map, Math.min(limit, 2 ** 32 - 1), opts.batch ?? true, opts.lock ? UpdateFlags.LOCK : 0);
  }

  /**
   * Streams records from a loaded ring buffer or perf event array map until
   * the returned function is called or the collection closes. Records are
   * read on this thread's event loop whenever the kernel signals some (no
   * extra thread), and handed over in batches of at most maxBatch records;
   * everything one wake-up drains is delivered in the same tick, so
   * onBatch decides what to keep. A running consumer keeps the process alive
   * and the collection from being garbage-collected, like a listening socket.
   * An exception thrown by onBatch is an uncaught exception.
   *
   * Start consuming before attachAll() to miss nothing. Only one consumer
   * per map at a time.
   * @returns a function that stops this consumer; safe to call twice, and
   *   after close().
   * @throws TypeError for any other map type; BpfError with code
   *   'ENOTLOADED' before load(), 'EBUSY' if the map is already consumed,
   *   or the errno of a failed libbpf call.
   */
  consume(map: string, onBatch: (batch: EventBatch) => void, opts: ConsumeOptions = {}): () => void {
    const info = this.#map(map);
    if (typeof onBatch !== 'function') throw new TypeError('onBatch must be a function');
    if (info.type !== MAP_TYPE_RINGBUF && info.type !== MAP_TYPE_PERF_EVENT_ARRAY) {
      throw new TypeError(`map '${map}' is a ${info.typeName} map; consume() reads ringbuf and perf_event_array maps`);
    }
    const { perfPages = DEFAULT_PERF_PAGES, maxBatch = DEFAULT_MAX_BATCH, passRecords = 64 * 1024, passBytes = 16 * 1024 * 1024 } = opts;
    if (!Number.isInteger(perfPages) || perfPages < 1 || perfPages > MAX_PERF_PAGES || (perfPages & (perfPages - 1)) !== 0) {
      throw new RangeError(`perfPages must be a power of two from 1 to ${MAX_PERF_PAGES}`);
    }
    if (!Number.isInteger(maxBatch) || maxBatch < 1 || maxBatch > 2 ** 32 - 1) {
      throw new RangeError('maxBatch must be a positive integer');
    }
    if (!Number.isInteger(passRecords) || passRecords < 1 || passRecords > 2 ** 32 - 1) throw new RangeError('passRecords must be a positive integer');
    if (!Number.isInteger(passBytes) || passBytes < 1 || passBytes > 2 ** 31) throw new RangeError('passBytes must be a positive integer up to 2 GiB');
    const handle = this.#handle;
    const id = binding.consume(handle, map, perfPages, maxBatch, passRecords, passBytes, (data, ends, lost) => {
      const records = new Array<Buffer>(ends.length);
      let start = 0;
      for (let i = 0; i < ends.length; i++) {
        const end = ends[i]!;
        records[i] = data.subarray(start, end);
        start = end;
      }
      onBatch({ records, lost });
    });
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      binding.stopConsume(handle, id);
    };
  }

  /**
   * Stops the consumers, destroys the links, then closes the object (programs
   * and maps). Safe to call twice. During a load, the object is freed when
   * the load finishes, and load() rejects with code 'ECLOSED'.
   */
  close(): void {
    binding.close(this.#handle);
  }

  #map(name: string): MapInfo {
    if (typeof name !== 'string') throw new TypeError('map name must be a string');
    if (this.closed) throw stateError('ECLOSED', 9, 'the collection is closed');
    this.#maps ??= new Map(this.maps().map((m) => [m.name, m]));
    const info = this.#maps.get(name);
    if (!info) throw new BpfError(`no map named '${name}'`, { errno: 2, code: 'ENOENT' });
    return info;
  }

  #checkQueue(map: string, what: string): MapInfo {
    const info = this.#map(map);
    if (info.type !== MAP_TYPE_QUEUE && info.type !== MAP_TYPE_STACK) {
      throw new TypeError(`map '${map}' is a ${info.typeName} map; ${what}() works on queue and stack maps`);
    }
    return info;
  }

  #checkKey(map: string, key: Buffer): MapInfo {
    const info = this.#map(map);
    assertBuffer(key, 'key');
    if (key.length !== info.keySize) {
      throw new RangeError(`map '${map}': key must be ${info.keySize} bytes, got ${key.length}`);
    }
    return info;
  }
}
