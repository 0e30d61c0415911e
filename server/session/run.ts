import diagnosticsChannel from 'node:diagnostics_channel';
import { entryKey } from '../../protocol/messages.ts';
import type {
  Json,
  MapEntry,
  MapSeed,
  MapSnapshot,
  PlaygroundError,
  ProgramMeta,
  RunState,
  ServerMessage,
  SourceFile,
  Stage,
  Timings,
  TraceLine,
} from '../../protocol/messages.ts';
import type { ProgramInfo } from '../../native/index.ts';
import type { Kernel, KernelSide, Loader, LoaderWait } from '../sandbox/sandbox.ts';
import type { WorkloadPlan, WorkloadRun } from '../lessons/workload.ts';
import { Btf } from '../btf/btf.ts';
import { compile, compileTypeInfo, ensureMinimalBtf, generateSkeleton } from '../compile/compiler.ts';
import { dumpLoadedCode, inspectObject } from '../inspect/inspect.ts';
import { explainMissingCapability } from '../host/capabilities.ts';
import { explainVerifierLog } from '../verifier/explain.ts';
import type { CompileQueue } from '../compile/compile-queue.ts';
import { CompileCache, type CachedCompile } from '../compile/compile-cache.ts';
import type { Config } from '../config.ts';
import { MapCodec } from '../maps/map-codec.ts';
import { EventCodec, definedStructs, structsOf, type StructChoice } from '../maps/event-codec.ts';
import type { RunnerCallError } from '../runner/runner.ts';
import { clipLog, describeBpfError, explainAttachFailure, explainLoadFailure, MAP_CREATE_FAILED, partition, sentence, withoutTag } from './run-explain.ts';
import type { OpenResult, RunnerEvents } from '../runner/runner-protocol.ts';
import { checkPolicy, estimateMapBytes } from '../policy/policy.ts';
import { helperNames } from '../policy/helper-ids.ts';
import { formatTraceTag } from '../trace/trace-line.ts';

export interface RunDeps {
  config: Config;
  /** The kernel the Run chose: its toolchain headers, policy and capabilities. */
  kernel: Kernel;
  /** The session's hold on that kernel: trace lines, workloads, symbols. */
  side: KernelSide;
  /** Objects compiled before, by a hash of their sources and everything else that went in. */
  compileCache: CompileCache;
  /** Shared by every session: compiles wait here for a free core. */
  compileQueue: CompileQueue;
  /**
   * Skeletons wait in their own line, one at a time, behind no compile: they
   * are for reading, and every jail counts against nobody's process limit.
   */
  skeletonQueue: CompileQueue;
  /**
   * What owns the loaded object (a runner process, or the session's VM):
   * asked for once the object is compiled, so fifty Runs at once do not boot
   * fifty processes while the compiler needs the cores.
   */
  takeLoader: (onWait: (wait: LoaderWait) => void) => Promise<Loader>;
  /** The session's secret trace tag: its programs' bpf_printk lines start with it. */
  traceSecret: string;
  /** Sends a message to the session's client. */
  send: (message: ServerMessage) => void;
  /** Trace lines go through the session, which rate-limits and counts drops; `kernelLost` is the shared buffer's overruns since this run started. */
  onTrace: (runId: string | number, lines: TraceLine[], kernelLost: number) => void;
  /** Sends an events frame unless the client is too far behind; false when it was dropped. */
  sendBulk: (message: ServerMessage) => boolean;
  /** Every decoded record, before any is dropped for the client's sake (lesson checks watch these). */
  onRecords?: (values: (Json | null)[]) => void;
}

type RunId = string | number;

/** Messages a reconnecting client needs only the latest of. */
const LATEST_ONLY = new Set<ServerMessage['type']>(['maps', 'run_state', 'stats']);

/** Maps whose records stream to the client as events rather than being dumped. */
const EVENT_MAP_TYPES = new Set(['ringbuf', 'perf_event_array']);

/** What one map read cost, for whoever listens (tests, profiling); nothing is published without a subscriber. */
export interface MapDumpReport {
  map: string;
  /** Entries read (the display cap plus one at most). */
  count: number;
  /** Read with BPF_MAP_LOOKUP_BATCH rather than one key at a time. */
  batched: boolean;
  ms: number;
}
/** Every map dump of every run is published here as a {@link MapDumpReport}. */
export const mapDumpChannel = diagnosticsChannel.channel('ebpf-playground:map-dump');

/** Verifier log buffers tried in turn: the first is the addon's default. */
const VERIFIER_LOG_SIZES = [4 << 20, 32 << 20, 128 << 20];

/**
 * One press of Run: compile → load → seed maps → attach → running, until
 * stop(). The object is loaded in the session's runner process; stop()
 * closes it there (links first), and if the runner dies instead, the kernel
 * frees everything with its fds. Nothing of a run outlives it in the kernel.
 */
export class Run {
  state: RunState = 'queued';
  private stage: Stage = 'compile';
  private readonly timings: Timings = {};
  private opened = false;
  private programs: ProgramInfo[] = [];
  private codecs = new Map<string, MapCodec>();
  private stopped = false;
  private unsubscribeTrace: (() => void) | null = null;
  private pollTimer: NodeJS.Timeout | null = null;
  /** What the client was last sent of each map, to send only changes. */
  private readonly shownMaps = new Map<string, { snapshot: MapSnapshot; entries: Map<string, { entry: MapEntry; text: string }> }>();
  private mapIntervalMs: number;
  private readonly cpuSamples: { at: number; runTimeNs: number }[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  /** Decoders and counters for each ring buffer and perf event array being consumed. */
  private structs: StructChoice[] = [];
  private readonly eventStreams = new Map<string, { codec: EventCodec; dropped: number; lost: number }>();
  /** The verifier's log was cut even in the biggest buffer tried. */
  private logTruncated = false;
  private readonly mainFile: string;

  private loader: Loader | null = null;
  /** Set before the object is opened; every call after that goes here. */
  private get runner(): Loader {
    if (!this.loader) throw new Error('the run has no loader yet');
    return this.loader;
  }

  /**
   * What the Inspect tabs show, made on the page's first ask: most Runs are
   * never inspected, and in a workshop every tool run is a process the
   * backend must start while fifty compiles want the cores. One maker for the
   * built object (skeleton, sections, disassembly, BTF: set once compiled),
   * one for the loaded programs (the translated code: set once running).
   */
  private readonly inspectMakers: { built: (() => void) | null; loaded: (() => void) | null } = { built: null, loaded: null };
  private inspectWanted = false;

  /** The page opened Inspect: send what exists now, and the rest when it exists. */
  requestInspect(): void {
    if (this.inspectWanted) return;
    this.inspectWanted = true;
    this.inspectMakers.built?.();
    this.inspectMakers.loaded?.();
  }

  private setInspectMaker(which: 'built' | 'loaded', make: () => void): void {
    this.inspectMakers[which] = make;
    if (this.inspectWanted) make();
  }

  /**
   * Resolves once the run is running, failed or stopped. The reading matter
   * (skeleton, Inspect) waits for it: a cached build has it at once, and
   * parsing it first would keep the page from hearing that its program runs.
   */
  private readonly settled: Promise<void>;
  private markSettled: () => void = () => {};

  /** What a reconnecting client needs to see this run again: every message but trace lines, the latest maps and state. */
  readonly history: ServerMessage[] = [];
  private readonly deps: RunDeps;

  constructor(
    readonly id: RunId,
    private readonly files: SourceFile[],
    private readonly seeds: MapSeed[],
    deps: RunDeps,
  ) {
    this.deps = { ...deps, send: (message) => this.record(message, deps.send) };
    this.mapIntervalMs = deps.config.limits.mapIntervalMs;
    this.mainFile = files.find((f) => f.name.endsWith('.c'))?.name ?? files[0]!.name;
    this.settled = new Promise((resolve) => (this.markSettled = resolve));
  }

  /** Runs every stage; resolves once the program is running or a stage failed. Never rejects. */
  async start(): Promise<void> {
    try {
      await this.execute();
    } catch (error) {
      this.fail({ code: 'internal', message: `The playground hit an internal error: ${(error as Error).message}` });
    }
  }

  private async execute(): Promise<void> {
    const { config, send, kernel } = this.deps;
    const { toolchain } = kernel;
    const context = compileContext(kernel, this.deps.traceSecret);
    const cacheKey = CompileCache.key(toolchain, this.files, context, config.compileJail);
    const { compileCache } = this.deps;
    let cached = compileCache.get(cacheKey);
    this.timings.cached = cached !== undefined;
    const compileStarted = performance.now();
    const running = cached ? undefined : compileCache.inFlight(cacheKey);
    if (running) {
      // The page's compile-while-typing of this very source is under way: wait for it.
      this.setState('compiling', 'compile');
      await running.catch(() => {});
      cached = compileCache.get(cacheKey);
      this.timings.waitedForPrepareMs = Math.round(performance.now() - compileStarted);
    }
    if (!cached) {
      cached = await this.deps.compileQueue.run(
        () => {
          this.setState('compiling', 'compile');
          return compileCache.compileInto(cacheKey, () => compile(config, toolchain, this.files, context));
        },
        (position) => this.setState('queued', 'compile', undefined, position),
      );
    }
    const compiled = cached.result;
    this.timings.compileMs = this.timings.cached ? 0 : this.timings.waitedForPrepareMs ?? Math.round(compiled.durationMs);
    send({
      type: 'compiled',
      runId: this.id,
      ok: compiled.ok,
      diagnostics: compiled.diagnostics,
      log: compiled.log,
      objectSize: compiled.object?.length,
    });
    if (!compiled.ok || !compiled.object) return this.fail(compiled.error ?? { code: 'compile_failed', message: 'The compile failed.' });
    if (this.stopped) return;

    // For reading, not loading: made (once per compiled source, then cached with it) when the page asks.
    const object = compiled.object;
    const entry = cached;
    this.setInspectMaker('built', () => {
      entry.skeleton ??= this.deps.skeletonQueue.run(() => generateSkeleton(config, toolchain, object, compiled.name));
      void Promise.all([entry.skeleton, this.settled]).then(([skeleton]) => {
        this.timings.skeletonMs = Math.round(skeleton.durationMs);
        if (!this.stopped) send({ type: 'skeleton', runId: this.id, ok: skeleton.ok, text: skeleton.text });
      });
      entry.inspect ??= this.deps.skeletonQueue.run(() => inspectObject(config, toolchain, this.files, object, compiled.name));
      void Promise.all([entry.inspect, this.settled]).then(([inspected]) => {
        if (!this.stopped) send({ type: 'inspect', runId: this.id, ...inspected });
      });
    });

    let runner: Loader;
    try {
      runner = await this.takeLoader();
    } catch (error) {
      return this.fail({ code: 'internal', message: `${kernel.info.kind === 'vm' ? `A VM with kernel ${kernel.info.name} could not be started` : 'The loader process could not be started'}: ${(error as Error).message}. Press Run to try again.` });
    }
    if (this.stopped) return;
    this.setState('loading', 'load');
    const loadStarted = performance.now();
    let opened: OpenResult;
    let btf: Btf | null;
    let headerTypes: Promise<void> | null = null;
    try {
      // A source that loaded before: its CO-RE relocations against the minimal BTF made then.
      opened = await runner.call('open', { object: compiled.object, name: compiled.name, btf: cached.minimalBtfReady ?? undefined });
      this.opened = true;
      this.programs = opened.programs;
      btf = opened.btf ? Btf.parse(opened.btf) : null;
      for (const info of opened.maps) this.codecs.set(info.name, new MapCodec(info, btf, opened.possibleCpus));
      this.structs = structsOf(btf);
      const ownStructs = definedStructs(this.files.map((f) => f.content));
      for (const info of opened.maps) {
        if (EVENT_MAP_TYPES.has(info.typeName)) this.eventStreams.set(info.name, { codec: new EventCodec(this.structs, ownStructs), dropped: 0, lost: 0 });
      }
      if (this.eventStreams.size) {
        const types = this.addHeaderTypes(context);
        // A struct the user defines but the object's BTF lacks (used only through a pointer
        // the compiler dropped) comes from that compile: wait for it, so the first records decode.
        if ([...ownStructs].some((name) => !this.structs.some((s) => s.name === name))) headerTypes = types.catch(() => {});
      }
    } catch (error) {
      return this.failLoad(error, 'load_failed', 'libbpf could not open the object');
    }
    if (this.stopped) return this.close();
    const violations = checkPolicy(kernel.policy, {
      programs: opened.programs.map((p) => ({ ...p, instructions: opened.instructions[p.name] ?? new Uint8Array() })),
      maps: opened.maps,
      btf,
      possibleCpus: opened.possibleCpus,
      helpers: helperNames(),
    });
    if (violations.length) {
      send({
        type: 'compiled',
        runId: this.id,
        ok: false,
        diagnostics: violations.map((v) => ({ file: this.mainFile, line: 1, column: 1, severity: 'error', message: v.message, source: 'policy' })),
        log: violations.map((v) => v.message).join('\n'),
      });
      return this.fail({ code: 'policy_denied', message: violations.map((v) => v.message).join(' ') });
    }
    // What every session on a shared kernel takes together is capped too.
    const reserved = this.deps.side.reserveMemory(opened.maps.reduce((sum, map) => sum + estimateMapBytes(map, opened.possibleCpus), 0));
    if ('problem' in reserved) return this.fail({ code: 'policy_denied', message: reserved.problem });
    this.releaseMemory = reserved.release;
    // Settings for globals (`const volatile` in .rodata, and .data/.bss) go in before load.
    const [early, late] = partition(this.seeds, (seed) => this.codecs.get(seed.map)?.info.isInternal === true);
    const setEarlyGlobals = async () => {
      for (const seed of early) {
        const problem = await this.setGlobals(seed.map, seed.value);
        if (problem) return `Setting ${seed.map} failed: ${problem}`;
      }
      return null;
    };
    const globalsProblem = await setEarlyGlobals();
    if (globalsProblem) return this.fail({ code: 'seed_failed', message: globalsProblem });
    try {
      const loaded = await this.load(compiled.object, compiled.name, cached, setEarlyGlobals);
      this.programs = loaded.programs;
      this.timings.loadMs = Math.round(performance.now() - loadStarted);
      if (this.stopped) return this.close();
      send({
        type: 'loaded',
        runId: this.id,
        ok: true,
        verifierLog: loaded.verifierLog || null,
        libbpfLog: loaded.libbpfLog,
        programs: this.programMeta(),
        maps: [...this.codecs.values()].map((codec) => codec.meta()),
        structs: this.structs.map(({ name, size }) => ({ name, size })),
      });
      // A source run again is likely to be run once more: make the kernel BTF its CO-RE
      // relocations need, off the critical path, so the next load skips parsing the kernel's.
      if (this.timings.cached) ensureMinimalBtf(cached, this.files, { config, toolchain, queue: this.deps.skeletonQueue });
    } catch (error) {
      this.timings.loadMs = Math.round(performance.now() - loadStarted);
      return this.failLoad(error, 'verifier_rejected', 'The kernel refused to load the program');
    }

    // Between load and attach: the user-space half of the program writes its map entries.
    for (const seed of late) {
      const problem = await this.writeEntry(seed.map, seed.key, seed.value);
      if (problem) return this.fail({ code: 'seed_failed', message: `Seeding map ${seed.map} failed: ${problem}` });
    }

    // Consumers start before attach: a perf buffer has no per-CPU slot until then, so
    // the kernel would discard the first records.
    if (headerTypes) await headerTypes;
    if (this.stopped) return this.close();
    for (const map of this.eventStreams.keys()) {
      try {
        await runner.call('consume', { map, maxPerSecond: config.limits.eventsPerSecond });
      } catch (error) {
        return this.fail({ code: 'internal', message: `Events from ${map} cannot be read: ${describeBpfError(error)}` });
      }
    }

    this.setState('attaching', 'attach');
    const attachStarted = performance.now();
    let attached;
    try {
      attached = await runner.call('attachAll', {});
    } catch (error) {
      return this.fail({ code: 'attach_failed', message: `Attaching failed: ${describeBpfError(error)}` });
    }
    this.timings.attachMs = Math.round(performance.now() - attachStarted);
    this.programs = attached.programs;
    const programs = this.programMeta(attached.results);
    send({ type: 'attached', runId: this.id, programs });
    if (!programs.some((p) => p.attached)) {
      const why = programs.map((p) => `${p.name}: ${p.attachError}`).join('; ');
      return this.fail({ code: 'attach_failed', message: `No program could be attached: ${why || 'the object has no programs'}.` });
    }
    if (this.stopped) return this.close();

    this.unsubscribeTrace = this.deps.side.subscribeTrace(this.deps.traceSecret, (lines, kernelLost) => this.deps.onTrace(this.id, lines, kernelLost));
    this.setState('running', 'run');
    this.pollMaps();
    // The translated code is for the Inspect tab too: read when asked, once the program is running.
    const ids = this.programs.flatMap((p) => (p.id === null ? [] : [{ name: p.name, id: p.id }]));
    this.setInspectMaker('loaded', () => {
      void (kernel.info.kind === 'host' ? dumpLoadedCode(ids) : Promise.resolve(notShownInVm(ids))).then((programs) => {
        if (!this.stopped) send({ type: 'loaded_code', runId: this.id, programs });
      });
    });
    this.statsTimer = setInterval(() => void this.checkCpu(), 1000);
  }

  /**
   * Loads the opened object. When the verifier's log did not fit its buffer
   * (ENOSPC), opens the object again with a bigger one, up to the cap: libbpf
   * cannot load an object twice.
   */
  private async load(object: Buffer, name: string, cached: CachedCompile, setGlobals: () => Promise<string | null>) {
    let btf = cached.minimalBtfReady ?? undefined;
    let logSize: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.runner.call('load', {});
      } catch (error) {
        if (btf) {
          // Never trust the shortcut over the kernel's own BTF: try once more without it, and forget it.
          cached.minimalBtfReady = null;
          btf = undefined;
        } else {
          if ((error as RunnerCallError).code !== 'ENOSPC') throw error;
          logSize = VERIFIER_LOG_SIZES[attempt + 1];
          if (logSize === undefined || this.stopped) {
            this.logTruncated = true;
            throw error;
          }
        }
        if (this.stopped) throw error;
        // libbpf cannot load an object twice: open it again, with the globals set again.
        await this.runner.call('open', { object, name, logSize });
        const problem = await setGlobals();
        if (problem) throw new Error(problem);
      }
    }
  }

  /**
   * Sets some of an internal map's globals before load, keeping the others at
   * their compiled values: `{ target_ppid: 1234 }` changes only target_ppid.
   */
  private async setGlobals(mapName: string, value: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName)!;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return `give the globals of ${mapName} as an object, like {"name": value}.`;
    }
    const initial = await this.runner.call('initialValue', { map: mapName });
    const current = initial ? codec.decodeValueBytes(initial).value : {};
    const merged = { ...(current as Record<string, Json>), ...value };
    const encoded = codec.encodeValue(merged);
    if (!encoded.ok) return sentence(encoded.error);
    await this.runner.call('setInitialValue', { map: mapName, value: encoded.bytes });
    return null;
  }

  /**
   * Writes one entry by its JSON key and value; resolves to the problem in one
   * sentence, or null. A queue or stack ignores the key and pushes the value;
   * .data and .bss take an object of the globals to change, and keep the rest.
   */
  async writeEntry(mapName: string, key: Json, value: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || !this.opened) return `there is no map named "${mapName}" in this program.`;
    if (!codec.writable) return `map ${mapName} (${codec.info.typeName}) cannot be written from user space here.`;
    try {
      if (codec.view === 'head') {
        const v = codec.encodeValue(value);
        if (!v.ok) return sentence(v.error);
        try {
          await this.runner.call('push', { map: mapName, value: v.bytes });
        } catch (error) {
          if ((error as RunnerCallError).code === 'E2BIG') return `map ${mapName} is full (it holds ${codec.info.maxEntries} values): pop one first.`;
          throw error;
        }
      } else {
        const k = codec.encodeKey(key);
        if (!k.ok) return sentence(k.error);
        let merged = value;
        if (codec.info.isInternal && value !== null && typeof value === 'object' && !Array.isArray(value)) {
          // Only the globals given change: the others keep what the program last stored.
          const live = await this.runner.call('lookup', { map: mapName, key: k.bytes });
          const current = live ? codec.decodeValueBytes(live).value : {};
          merged = { ...(current as Record<string, Json>), ...value };
        }
        const v = codec.encodeValue(merged);
        if (!v.ok) return sentence(v.error);
        try {
          await this.runner.call('update', { map: mapName, key: k.bytes, value: v.bytes });
        } catch (error) {
          if (codec.isArray && (error as RunnerCallError).code === 'E2BIG') {
            return `index ${JSON.stringify(key)} is out of range: map ${mapName} holds indexes 0 to ${codec.info.maxEntries - 1}.`;
          }
          throw error;
        }
      }
    } catch (error) {
      return describeBpfError(error);
    }
    this.refreshSoon();
    return null;
  }

  /** Deletes one entry by its JSON key; a queue or stack pops its head instead. Resolves to the problem, or null. */
  async deleteEntry(mapName: string, key: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || !this.opened) return `there is no map named "${mapName}" in this program.`;
    if (codec.isArray) return `map ${mapName} is an array: it always holds all ${codec.info.maxEntries} entries, so an entry can be set (to zero, say) but not deleted.`;
    try {
      if (codec.view === 'head') {
        const popped = await this.runner.call('pop', { map: mapName });
        if (!popped) return `map ${mapName} is empty: there is nothing to pop.`;
      } else {
        const k = codec.encodeKey(key);
        if (!k.ok) return sentence(k.error);
        await this.runner.call('delete', { map: mapName, key: k.bytes });
      }
    } catch (error) {
      const err = error as RunnerCallError;
      return err.code === 'ENOENT' ? 'that key is not in the map.' : describeBpfError(error);
    }
    this.refreshSoon();
    return null;
  }

  setMapInterval(ms: number): void {
    this.mapIntervalMs = ms;
    this.refreshSoon();
  }

  get isLoaded(): boolean {
    return this.opened && !this.stopped;
  }

  private record(message: ServerMessage, send: (message: ServerMessage) => void): void {
    const replaced = LATEST_ONLY.has(message.type) ? this.history.findIndex((m) => m.type === message.type) : -1;
    if (replaced >= 0) this.history.splice(replaced, 1);
    // A reconnecting client has nothing to apply deltas to: it gets every map whole.
    const kept: ServerMessage =
      message.type === 'maps'
        ? { ...message, maps: [...this.shownMaps.values()].map(({ snapshot }) => ({ ...snapshot, full: true })) }
        : message;
    this.history.push(kept);
    send(message);
  }

  /** Adds the structs of the user's headers to what event records may be decoded as, once they are compiled. */
  private addHeaderTypes(context: { traceTag: string }): Promise<void> {
    const { config } = this.deps;
    const { toolchain } = this.deps.kernel;
    return this.deps.skeletonQueue.run(() => compileTypeInfo(config, toolchain, this.files, context)).then((raw) => {
      const more = raw ? structsOf(Btf.parse(raw)) : [];
      if (!more.length || this.stopped) return;
      for (const stream of this.eventStreams.values()) stream.codec.addStructs(more);
      const known = new Set(this.structs.map((s) => s.name));
      this.structs.push(...more.filter((s) => !known.has(s.name)));
    });
  }

  /** Records from the runner: decoded, and sent unless the client is behind (then counted). */
  onEvents(events: RunnerEvents): void {
    const stream = this.eventStreams.get(events.map);
    // From attach on: records can arrive before the run is marked running.
    if (!stream || this.stopped || (this.state !== 'running' && this.state !== 'attaching')) return;
    stream.dropped += events.dropped;
    stream.lost += events.lost;
    if (!events.records.length && !events.dropped && !events.lost) return;
    const decoded = events.records.map((record) => stream.codec.decode(record));
    if (decoded.length) this.deps.onRecords?.(decoded.map((d) => d.value));
    const type = decoded.find((d) => d.type)?.type ?? null;
    const message: ServerMessage = {
      type: 'events',
      runId: this.id,
      map: events.map,
      recordType: type ? `struct ${type.name}` : null,
      records: decoded.map(({ value, hex, size }) => ({ value, hex, size })),
      dropped: stream.dropped,
      lost: stream.lost,
    };
    if (!this.deps.sendBulk(message)) stream.dropped += decoded.length;
  }

  /** Decodes a map's records as the struct the user chose; resolves to the problem, or null. */
  setEventType(map: string, typeName: string | null): string | null {
    const stream = this.eventStreams.get(map);
    if (!stream) return `there is no ring buffer or perf event array named "${map}" in this program.`;
    if (!stream.codec.pick(typeName)) {
      const names = this.structs.map((s) => s.name).join(', ');
      return `the program's BTF has no struct named "${typeName}"${names ? ` (it has: ${names})` : ''}.`;
    }
    return null;
  }

  /** The runner process (or the session's VM) died under this run: the kernel has freed its programs already. */
  runnerDied(reason: string): void {
    if (this.stopped || this.state === 'error') return;
    this.opened = false;
    const message =
      this.deps.kernel.info.kind === 'vm'
        ? `Your session's VM stopped (${reason}); nothing of it is left, and nothing outside it was touched. Press Run to start a fresh one.`
        : `The loader process for your session stopped (${reason}); nothing of your program is left in the kernel. Press Run to start again.`;
    this.fail({ code: 'internal', message });
  }

  /** A lesson check's workload, where this run's kernel is. */
  runWorkload(plan: WorkloadPlan): Promise<WorkloadRun> {
    return this.deps.side.runWorkload(plan);
  }

  /** Waits for the session's loader, saying meanwhile that its VM boots or waits for a slot. */
  private async takeLoader(): Promise<Loader> {
    const started = performance.now();
    const loader = await this.deps.takeLoader((wait) => {
      if (this.stopped) return;
      if (wait.state === 'queued') this.setState('booting', 'load', undefined, wait.position);
      else {
        this.timings.bootingForMs = wait.sinceMs;
        this.setState('booting', 'load');
      }
    });
    delete this.timings.bootingForMs;
    if (this.deps.kernel.info.kind === 'vm') this.timings.vmWaitMs = Math.round(performance.now() - started);
    this.loader = loader;
    return loader;
  }

  /** Detaches and closes everything. Safe to call at any stage and more than once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.close();
    if (this.state !== 'error') this.setState('stopped', this.stage);
  }

  /** Gives the maps' share of the kernel's memory back: set once the Run reserved it. */
  private releaseMemory: () => void = () => {};

  private close(): void {
    this.releaseMemory();
    this.unsubscribeTrace?.();
    this.unsubscribeTrace = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.opened) {
      this.opened = false;
      // A dead runner has nothing left to close: the kernel already freed it all.
      this.loader?.call('close', {}).catch(() => {});
    }
  }

  private refreshSoon(): void {
    if (this.state !== 'running') return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.pollMaps(), 0);
  }

  /** Every listable map, read whole now (for a lesson check), not the deltas the client gets. */
  async readMaps(): Promise<MapSnapshot[]> {
    const snapshots: MapSnapshot[] = [];
    for (const codec of this.codecs.values()) if (codec.view === 'entries') snapshots.push((await this.snapshot(codec, false))!);
    return snapshots;
  }

  private async pollMaps(): Promise<void> {
    this.pollTimer = null;
    if (!this.opened || this.stopped) return;
    const snapshots: MapSnapshot[] = [];
    for (const codec of this.codecs.values()) {
      if (codec.view === 'entries') {
        // After the first frame the runner may answer "unchanged", and then there is nothing to do.
        const snapshot = await this.snapshot(codec, this.shownMaps.has(codec.info.name));
        if (snapshot) snapshots.push(snapshot);
      }
      if (codec.view === 'head') snapshots.push(await this.headSnapshot(codec));
    }
    if (this.stopped) return;
    // Only what changed since the last frame goes out: a 10,000-entry map with one busy key costs one entry.
    const frames = snapshots.flatMap((snapshot) => this.mapDelta(snapshot) ?? []);
    if (frames.length) this.deps.send({ type: 'maps', runId: this.id, maps: frames });
    if (!this.pollTimer) this.pollTimer = setTimeout(() => this.pollMaps(), this.mapIntervalMs);
  }

  /** The frame for one map against what the client already has, or null when nothing changed. */
  private mapDelta(snapshot: MapSnapshot): MapSnapshot | null {
    const before = this.shownMaps.get(snapshot.name);
    const now = new Map(snapshot.entries.map((e) => [entryKey(e.key), { entry: e, text: JSON.stringify(e) }]));
    this.shownMaps.set(snapshot.name, { snapshot, entries: now });
    if (!before) return { ...snapshot, full: true };
    const changed = [...now.entries()].filter(([id, e]) => before.entries.get(id)?.text !== e.text).map(([, e]) => e.entry);
    const removed = [...before.entries.entries()].filter(([id]) => !now.has(id)).map(([, e]) => e.entry.key);
    const same = !changed.length && !removed.length && before.snapshot.count === snapshot.count && before.snapshot.error === snapshot.error;
    return same ? null : { ...snapshot, full: false, entries: changed, removed };
  }

  /**
   * Reads the programs' run time, sends it to the client, and detaches them
   * when, over the budget window, they used more CPU than the operator allows.
   */
  private async checkCpu(): Promise<void> {
    const { cpuBudget, cpuWindowMs } = this.deps.config.limits;
    let programs;
    try {
      programs = await this.runner.call('stats', {});
    } catch {
      return;
    }
    if (this.stopped || this.state !== 'running') return;
    const now = performance.now();
    const runTimeNs = programs.reduce((sum, p) => sum + p.runTimeNs, 0);
    this.cpuSamples.push({ at: now, runTimeNs });
    while (this.cpuSamples.length > 1 && now - this.cpuSamples[1]!.at >= cpuWindowMs) this.cpuSamples.shift();
    const oldest = this.cpuSamples[0]!;
    const spanMs = now - oldest.at;
    const cpuShare = spanMs > 0 ? (runTimeNs - oldest.runTimeNs) / 1e6 / spanMs : 0;
    this.deps.send({ type: 'stats', runId: this.id, programs, cpuShare });
    // Judged only over a whole window, so one busy moment does not count.
    if (spanMs >= cpuWindowMs * 0.9 && cpuShare > cpuBudget) {
      const percent = (x: number) => `${Math.round(x * 100)}%`;
      this.fail({
        code: 'policy_denied',
        message: `Your programs used ${percent(cpuShare)} of a CPU over the last ${cpuWindowMs / 1000} s; the limit is ${percent(cpuBudget)}, so they were detached. Do less work per event, or attach to a rarer one.`,
      });
    }
  }

  /** The map read whole and decoded; null when `ifChanged` and the runner found it as it was. */
  private async snapshot(codec: MapCodec, ifChanged: boolean): Promise<MapSnapshot | null> {
    const shown = this.deps.config.limits.mapEntriesShown;
    try {
      const started = performance.now();
      const dump = await this.runner.call('dump', { map: codec.info.name, max: shown + 1, ifChanged });
      if (mapDumpChannel.hasSubscribers) {
        const report: MapDumpReport = { map: codec.info.name, count: dump.count, batched: dump.batched, ms: performance.now() - started };
        mapDumpChannel.publish(report);
      }
      if (dump.unchanged) return null;
      const count = Math.min(dump.count, shown);
      const symbols = codec.info.typeName === 'stack_trace' ? await this.deps.side.symbols() : null;
      let entries = codec.decodeEntries(dump.keys, dump.values, count, symbols);
      // bpf_printk's format strings live in .rodata, each with the session's tag in front.
      if (codec.info.isInternal && this.deps.kernel.tagsTrace) entries = withoutTag(entries, formatTraceTag(this.deps.traceSecret)) as MapEntry[];
      return { name: codec.info.name, entries, count: dump.count, truncated: dump.count > shown };
    } catch (error) {
      return { name: codec.info.name, entries: [], count: 0, truncated: false, error: describeBpfError(error) };
    }
  }

  /**
   * A queue or stack: its head, read without taking it off. The kernel has
   * no way to list these maps or count what they hold short of emptying them.
   */
  private async headSnapshot(codec: MapCodec): Promise<MapSnapshot> {
    const { name, typeName, maxEntries } = codec.info;
    const next = typeName === 'queue' ? 'the oldest value, which the next pop takes' : 'the newest value, which the next pop takes';
    const note = `Only the head is shown: ${next}. A ${typeName} map cannot be listed without emptying it; it holds up to ${maxEntries.toLocaleString('en-US')} values.`;
    try {
      const head = await this.runner.call('peek', { map: name });
      const entries: MapEntry[] = head ? [{ key: null, ...codec.decodeValueBytes(head) }] : [];
      return { name, entries, count: entries.length, truncated: false, headOnly: true, note };
    } catch (error) {
      return { name, entries: [], count: 0, truncated: false, headOnly: true, note, error: describeBpfError(error) };
    }
  }

  private programMeta(results?: { program: string; attached: boolean; message?: string; code?: string }[]): ProgramMeta[] {
    return this.programs.map((p) => {
      const result = results?.find((r) => r.program === p.name);
      return {
        name: p.name,
        section: p.section,
        type: p.typeName,
        instructions: p.insnCount,
        attached: result?.attached ?? false,
        attachError: result && !result.attached ? (explainMissingCapability(p.section, this.deps.kernel.capabilities)?.replace(/\.$/, '') ?? explainAttachFailure(p.section, result)) : undefined,
      };
    });
  }

  private setState(state: RunState, stage: Stage, error?: PlaygroundError, queuePosition?: number): void {
    this.state = state;
    this.stage = stage;
    this.deps.send({ type: 'run_state', runId: this.id, state, stage, timings: { ...this.timings }, error, queuePosition });
    if (state === 'running' || state === 'error' || state === 'stopped') this.markSettled();
  }

  private failLoad(error: unknown, code: PlaygroundError['code'], what: string): void {
    if (this.state === 'error') return;
    const err = error as RunnerCallError;
    // EPERM and friends are the kernel refusing the kind of program, not the verifier judging its code.
    // The kernel's log buffer also takes its BTF check ("magic: 0xeb9f …"), and a map that failed
    // to be created fails the load before any program is verified: neither is the verifier's verdict.
    const mapFailed = MAP_CREATE_FAILED.test(err.libbpfLog ?? '');
    const notVerified = err.verifierLog?.startsWith('magic: 0xeb9f') || mapFailed;
    const verifier = code === 'verifier_rejected' && err.verifierLog && !notVerified && ['EACCES', 'EINVAL', 'E2BIG', 'ENOSPC'].includes(err.code);
    const explained = verifier
      ? explainVerifierLog(err.verifierLog!, { mainFile: this.mainFile, files: this.files.map((f) => f.name) })
      : { explanation: null, diagnostics: [] };
    this.deps.send({
      type: 'loaded',
      runId: this.id,
      ok: false,
      verifierLog: err.verifierLog ? clipLog(err.verifierLog, this.deps.config.limits.verifierLogBytes) : null,
      libbpfLog: err.libbpfLog ?? '',
      programs: this.programMeta(),
      maps: [...this.codecs.values()].map((codec) => codec.meta()),
      logTruncated: this.logTruncated,
      explanation: explained.explanation ?? undefined,
      diagnostics: explained.diagnostics,
    });
    const where = explained.explanation?.line ? ` (${explained.explanation.file}:${explained.explanation.line})` : '';
    this.fail({
      code: verifier ? 'verifier_rejected' : 'load_failed',
      message: explained.explanation
        ? `The verifier rejected the program${where}: ${explained.explanation.summary}`
        : `${mapFailed ? '' : `${what}: `}${explainLoadFailure(err, this.programs.map((p) => p.section), this.deps.kernel, [...this.codecs.values()].map((c) => c.info))}`,
    });
  }

  private fail(error: PlaygroundError): void {
    // The first failure is the cause (a VM that died, say); what fails after it only follows from it.
    if (this.state === 'error') return;
    this.close();
    this.setState('error', this.stage, error);
  }
}

/** What a compile for `kernel` is told: a shared kernel's lines carry the session's secret tag; a VM's are all the session's. */
export function compileContext(kernel: Kernel, traceSecret: string): { traceTag: string } {
  return { traceTag: kernel.tagsTrace ? formatTraceTag(traceSecret) : '' };
}

/** Inspect's translated code is read with the host's bpftool, which cannot see into a guest. */
function notShownInVm(programs: { name: string }[]) {
  return programs.map(({ name }) => ({ name, xlated: `Program ${name} runs in your session's VM; the translated code is shown for the host kernel only.`, jited: null }));
}
