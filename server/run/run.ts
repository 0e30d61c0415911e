// One press of Run, stage by stage: compile → open → policy → globals → load → seed → attach → running.
import type {
  AttachSettings,
  Json,
  MapSeed,
  ObjectChange,
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
import { explainMissingCapability } from '../host/capability-notes.ts';
import type { CompileQueue } from '../compile/compile-queue.ts';
import { CompileCache, type CachedCompile } from '../compile/compile-cache.ts';
import type { Config } from '../config.ts';
import { RunMaps } from '../maps/run-maps.ts';
import { EventStreams } from '../events/event-streams.ts';
import { describeBpfError, type RunnerCallError } from '../runner/runner.ts';
import type { ObjectAdjustments, OpenResult, RunnerCalls, RunnerEvents } from '../runner/runner-protocol.ts';
import { choosePrograms, fitMaps, targetsToFind } from './fit-object.ts';
import { planUserProbes } from './user-probes.ts';
import { checkPolicy, estimateMapBytes } from '../policy/policy.ts';
import { helperNames } from '../policy/helper-ids.ts';
import { writesTrace } from '../trace/trace-writers.ts';
import { formatTraceTag } from '../trace/trace-line.ts';
import { CpuBudget } from './cpu-budget.ts';
import { InspectOnDemand } from './inspect-on-demand.ts';
import { describeLoadFailure, explainAttachFailure } from './load-failure.ts';
import { RunHistory } from './run-history.ts';
import { seedForMissingMap } from './seed-problems.ts';
import { verifierFigures, type VerifierFigures } from '../../protocol/verifier-steps.ts';

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

/**
 * One press of Run: compile → load → seed maps → attach → running, until
 * stop(). The object is loaded in the session's loader (a runner process, or
 * its VM); stop() closes it there (links first), and if the loader dies
 * instead, the kernel frees everything with its fds. Nothing of a run
 * outlives it in the kernel.
 */
/** What a Run is asked for beyond its files and seeds. */
export interface RunOptions {
  /** How perf_event, uprobe and usdt programs attach (the page's attach settings, the CLI's flags). */
  attach?: AttachSettings;
  /** 2: the verifier logs its every step (the stepper); 1 by default. */
  verifierLevel?: 1 | 2;
}

export class Run {
  state: RunState = 'queued';
  private stage: Stage = 'compile';
  private readonly timings: Timings = {};
  private programs: ProgramInfo[] = [];
  private stopped = false;
  private unsubscribeTrace: (() => void) | null = null;
  private statsTimer: NodeJS.Timeout | null = null;
  private readonly cpu: CpuBudget;
  /** The verifier's log was cut even in the biggest buffer tried. */
  private logTruncated = false;
  private readonly mainFile: string;
  private readonly inspect = new InspectOnDemand();
  private readonly recorded = new RunHistory();
  private loader: Loader | null = null;
  /** False once the loader died: the kernel freed everything with it, and there is nothing to close. */
  private loaderAlive = true;
  /** Set once the object is opened: its maps and its ring buffers. */
  private opened: { maps: RunMaps; events: EventStreams } | null = null;

  /**
   * Resolves once the run is running, failed or stopped. The reading matter
   * (skeleton, Inspect) waits for it: a cached build has it at once, and
   * parsing it first would keep the page from hearing that its program runs.
   */
  private readonly settled: Promise<void>;
  private markSettled: () => void = () => {};
  private readonly deps: RunDeps;

  constructor(
    readonly id: RunId,
    private readonly files: SourceFile[],
    private readonly seeds: MapSeed[],
    private readonly options: RunOptions,
    deps: RunDeps,
  ) {
    this.deps = {
      ...deps,
      send: (message) => {
        this.recorded.record(message, () => this.opened?.maps.wholeFrames() ?? []);
        deps.send(message);
      },
    };
    this.cpu = new CpuBudget(deps.config.limits.cpuBudget, deps.config.limits.cpuWindowMs);
    this.mainFile = files.find((f) => f.name.endsWith('.c'))?.name ?? files[0]!.name;
    this.settled = new Promise((resolve) => (this.markSettled = resolve));
  }

  /** What a reconnecting client needs to see this run again. */
  get history(): ServerMessage[] {
    return this.recorded.messages;
  }

  /** The run's maps, once its object is open. */
  get maps(): RunMaps {
    if (!this.opened) throw new Error('the run has no open object');
    return this.opened.maps;
  }

  get events(): EventStreams {
    if (!this.opened) throw new Error('the run has no open object');
    return this.opened.events;
  }

  get isLoaded(): boolean {
    return this.opened !== null && !this.stopped;
  }

  /** The page opened Inspect: send what exists now, and the rest when it exists. */
  requestInspect(): void {
    this.inspect.request();
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
    const built = await this.compile();
    if (!built || this.stopped) return;
    const loader = await this.takeLoader();
    if (!loader || this.stopped) return;
    this.setState('loading', 'load');
    const loadStarted = performance.now();
    const opened = await this.open(loader, built);
    if (!opened || this.stopped) return this.close();
    if (!this.admit(opened)) return;
    const loaded = await this.load(built, loadStarted);
    if (!loaded || this.stopped) return this.close();
    if (!(await this.seedMaps()) || this.stopped) return this.close();
    if (!(await this.attach()) || this.stopped) return this.close();
    this.running();
  }

  /** The object from the cache, from a compile-ahead under way, or compiled now in the shared queue. */
  private async compile(): Promise<{ object: Buffer; name: string; cached: CachedCompile } | null> {
    const { config, send, kernel, compileCache } = this.deps;
    const { toolchain } = kernel;
    const context = compileContext(kernel, this.deps.traceSecret);
    const cacheKey = CompileCache.key(toolchain, this.files, context, config.compileJail);
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
    this.timings.compileMs = this.timings.cached ? 0 : (this.timings.waitedForPrepareMs ?? Math.round(compiled.durationMs));
    send({ type: 'compiled', runId: this.id, ok: compiled.ok, diagnostics: compiled.diagnostics, log: compiled.log, objectSize: compiled.object?.length });
    if (!compiled.ok || !compiled.object) {
      this.fail(compiled.error ?? { code: 'compile_failed', message: 'The compile failed.' });
      return null;
    }
    // For reading, not loading: made (once per compiled source, then cached with it) when the page asks.
    const object = compiled.object;
    const entry = cached;
    this.inspect.set('built', () => {
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
    return { object, name: compiled.name, cached };
  }

  /** Waits for the session's loader, saying meanwhile that its VM boots or waits for a slot. */
  private async takeLoader(): Promise<Loader | null> {
    const { kernel } = this.deps;
    const started = performance.now();
    try {
      this.loader = await this.deps.takeLoader((wait) => {
        if (this.stopped) return;
        if (wait.state === 'queued') this.setState('booting', 'load', undefined, wait.position);
        else {
          this.timings.bootingForMs = wait.sinceMs;
          this.setState('booting', 'load');
        }
      });
    } catch (error) {
      const what = kernel.info.kind === 'vm' ? `A VM with kernel ${kernel.info.name} could not be started` : 'The loader process could not be started';
      this.fail({ code: 'internal', message: `${what}: ${(error as Error).message}. Press Run to try again.` });
      return null;
    }
    delete this.timings.bootingForMs;
    if (kernel.info.kind === 'vm') this.timings.vmWaitMs = Math.round(performance.now() - started);
    return this.loader;
  }

  /** Opens the object in the loader: its programs, maps and BTF, and the decoders for both. */
  private async open(loader: Loader, built: { object: Buffer; name: string; cached: CachedCompile }): Promise<OpenResult | null> {
    const { config, kernel } = this.deps;
    let opened: OpenResult;
    try {
      // A source that loaded before: its CO-RE relocations against the minimal BTF made then.
      opened = await loader.call('open', {
        object: built.object,
        name: built.name,
        btf: built.cached.minimalBtfReady ?? undefined,
        logSize: config.limits.verifierLogBuffers[0],
        logLevel: this.options.verifierLevel,
      });
    } catch (error) {
      this.failLoad(error, 'open');
      return null;
    }
    const fitted = await this.fit(loader, opened);
    if (!fitted) return null;
    opened = fitted;
    this.programs = opened.programs;
    const btf = opened.btf ? Btf.parse(opened.btf) : null;
    this.btf = btf;
    const maps = new RunMaps(opened.maps, btf, opened.possibleCpus, {
      runId: this.id,
      loader,
      entriesShown: config.limits.mapEntriesShown,
      intervalMs: config.limits.mapIntervalMs,
      symbols: () => this.deps.side.symbols(),
      traceTag: kernel.tagsTrace ? formatTraceTag(this.deps.traceSecret) : null,
      send: this.deps.send,
    });
    const events = new EventStreams(
      opened.maps,
      btf,
      this.files.map((f) => f.content),
      { runId: this.id, sendBulk: this.deps.sendBulk, onRecords: this.deps.onRecords },
    );
    this.opened = { maps, events };
    if (events.maps.length) {
      const types = this.addHeaderTypes(events);
      // A struct the user defines but the object's BTF lacks comes from that compile: wait for it, so the first records decode.
      if (events.lacksOwnStructs) this.headerTypes = types.catch(() => {});
    }
    return opened;
  }

  /** What fit() changed in the object: applied again whenever it is opened again. */
  private adjustments: ObjectAdjustments = { maxEntries: [], valueSize: [], skipPrograms: [] };
  private changes: ObjectChange[] = [];

  /**
   * Fits the object to this kernel and the limits, as the program's own loader
   * would (server/run/fit-object.ts), and says each change in one line.
   */
  private async fit(loader: Loader, opened: OpenResult): Promise<OpenResult | null> {
    const { kernel } = this.deps;
    try {
      const lookups = targetsToFind(opened.programs);
      const answers = lookups.length ? await loader.call('findTargets', { targets: lookups.map((l) => l.target) }) : [];
      const programs = choosePrograms(
        opened.programs,
        lookups.map((l, i) => ({ ...l, exists: answers[i] ?? null })),
        kernel.capabilities,
      );
      const maps = fitMaps(opened.maps, kernel.policy, opened.possibleCpus);
      this.adjustments = { maxEntries: maps.maxEntries, valueSize: maps.valueSize, skipPrograms: programs.skipPrograms };
      this.changes = [...maps.changes, ...programs.changes];
      if (!this.changes.length) return opened;
      const adjusted = await loader.call('adjust', this.adjustments);
      this.deps.send({ type: 'adjusted', runId: this.id, changes: this.changes });
      return { ...opened, programs: adjusted.programs, maps: adjusted.maps };
    } catch (error) {
      this.failLoad(error, 'open');
      return null;
    }
  }

  /** The opened object's BTF, parsed once for the codecs and the policy. */
  private btf: Btf | null = null;

  /** Set when event records wait for the user's header types before attach. */
  private headerTypes: Promise<void> | null = null;

  /** Whether a program that loads writes trace lines (bpf_printk), read from its instructions at admit. */
  private printsTrace = false;

  /** The kernel's policy, and the shared kernel's memory budget, before the kernel sees anything. */
  private admit(opened: OpenResult): boolean {
    const { kernel } = this.deps;
    // Programs left out of load (SEC("?…"), or by fit()) never reach the kernel.
    const loading = opened.programs.filter((p) => p.autoload).map((p) => ({ ...p, instructions: opened.instructions[p.name] ?? new Uint8Array() }));
    const violations = checkPolicy(kernel.policy, {
      programs: loading,
      maps: opened.maps,
      btf: this.btf,
      possibleCpus: opened.possibleCpus,
      helpers: helperNames(),
    });
    this.printsTrace = writesTrace(
      loading.map((p) => p.instructions),
      helperNames(),
    );
    if (violations.length) {
      this.deps.send({ type: 'refused', runId: this.id, violations });
      this.fail({ code: 'policy_denied', message: violations.map((v) => v.message).join(' ') });
      return false;
    }
    // What every session on a shared kernel takes together is capped too.
    const reserved = this.deps.side.reserveMemory(opened.maps.reduce((sum, map) => sum + estimateMapBytes(map, opened.possibleCpus), 0));
    if ('problem' in reserved) {
      this.fail({ code: 'policy_denied', message: reserved.problem });
      return false;
    }
    this.releaseMemory = reserved.release;
    return true;
  }

  /** Settings for globals (`const volatile` in .rodata, and .data/.bss) go in before load. */
  private async setGlobals(): Promise<string | null> {
    for (const seed of this.seeds) {
      if (!this.maps.isInternal(seed.map)) continue;
      const problem = await this.maps.setGlobals(seed.map, seed.value);
      if (problem) return `Setting ${seed.map} failed: ${problem}`;
    }
    return null;
  }

  private async load(built: { object: Buffer; name: string; cached: CachedCompile }, loadStarted: number): Promise<boolean> {
    const { config } = this.deps;
    const { toolchain } = this.deps.kernel;
    // A seed for a map this program lacks is refused before the kernel sees anything, and says so, not what writing it failed with.
    const stray = this.seeds.find((seed) => !this.maps.codecs.has(seed.map));
    if (stray) {
      this.fail({ code: 'seed_failed', message: seedForMissingMap(stray.map) });
      return false;
    }
    const globalsProblem = await this.setGlobals();
    if (globalsProblem) {
      this.fail({ code: 'seed_failed', message: globalsProblem });
      return false;
    }
    try {
      const loaded = await this.loadWithRetries(built);
      this.programs = loaded.programs;
      this.timings.loadMs = Math.round(performance.now() - loadStarted);
      if (this.stopped) return false;
      this.deps.send({
        type: 'loaded',
        runId: this.id,
        ok: true,
        verifierLog: loaded.verifierLog || null,
        libbpfLog: loaded.libbpfLog,
        programs: this.programMeta(),
        maps: this.maps.meta(),
        structs: this.events.structs.map(({ name, size }) => ({ name, size })),
        printsTrace: this.printsTrace,
      });
      // A source run again is likely to be run once more: make the kernel BTF its CO-RE
      // relocations need, off the critical path, so the next load skips parsing the kernel's.
      if (this.timings.cached) ensureMinimalBtf(built.cached, this.files, { config, toolchain, queue: this.deps.skeletonQueue });
      return true;
    } catch (error) {
      this.timings.loadMs = Math.round(performance.now() - loadStarted);
      this.failLoad(error, 'load');
      return false;
    }
  }

  /**
   * Loads the opened object. When the verifier's log did not fit its buffer
   * (ENOSPC), opens the object again with a bigger one, up to the cap: libbpf
   * cannot load an object twice.
   */
  private async loadWithRetries({ object, name, cached }: { object: Buffer; name: string; cached: CachedCompile }) {
    const logSizes = this.deps.config.limits.verifierLogBuffers;
    let btf = cached.minimalBtfReady ?? undefined;
    let logSize: number | undefined;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.loader!.call('load', {});
      } catch (error) {
        if (btf) {
          // Never trust the shortcut over the kernel's own BTF: try once more without it, and forget it.
          cached.minimalBtfReady = null;
          btf = undefined;
        } else {
          if ((error as RunnerCallError).code !== 'ENOSPC') throw error;
          logSize = logSizes[attempt + 1];
          if (logSize === undefined || this.stopped) {
            this.logTruncated = true;
            throw error;
          }
        }
        if (this.stopped) throw error;
        // libbpf cannot load an object twice: open it again, fitted and with the globals set again.
        await this.loader!.call('open', { object, name, logSize, logLevel: this.options.verifierLevel });
        if (this.changes.length) await this.loader!.call('adjust', this.adjustments);
        const problem = await this.setGlobals();
        if (problem) throw new Error(problem);
      }
    }
  }

  /** Between load and attach: the user-space half of the program writes its map entries. */
  private async seedMaps(): Promise<boolean> {
    for (const seed of this.seeds) {
      if (this.maps.isInternal(seed.map)) continue;
      const problem = await this.maps.writeEntry(seed.map, seed.key, seed.value);
      if (problem) {
        this.fail({ code: 'seed_failed', message: `Seeding map ${seed.map} failed: ${problem}` });
        return false;
      }
    }
    return true;
  }

  private async attach(): Promise<boolean> {
    const { config } = this.deps;
    // Consumers start before attach: a perf buffer has no per-CPU slot until then, so
    // the kernel would discard the first records.
    if (this.headerTypes) await this.headerTypes;
    if (this.stopped) return false;
    for (const map of this.events.maps) {
      try {
        const { eventsPerSecond, eventSendsInFlight, eventPassRecords, eventPassBytes } = config.limits;
        await this.loader!.call('consume', {
          map,
          maxPerSecond: eventsPerSecond,
          sendsInFlight: eventSendsInFlight,
          passRecords: eventPassRecords,
          passBytes: eventPassBytes,
        });
      } catch (error) {
        this.fail({ code: 'internal', message: `Events from ${map} cannot be read: ${describeBpfError(error)}` });
        return false;
      }
    }
    this.setState('attaching', 'attach');
    // From attach on: records can arrive before the run is marked running.
    this.events.setFlowing(true);
    const attachStarted = performance.now();
    let attached: RunnerCalls['attachAll']['result'];
    const { kernel } = this.deps;
    const loaded = this.programs.filter((p) => p.autoload).map((p) => ({ name: p.name, section: p.section }));
    const userProbes = planUserProbes(loaded, this.options.attach, { sandbox: kernel.info.kind, target: kernel.targetProgram });
    try {
      attached = await this.loader!.call('attachAll', {
        perfFrequency: config.limits.perfEventFrequency,
        perfEvent: this.options.attach?.perfEvent ?? 'cpu-clock',
        userProbes: userProbes.plans,
        target: kernel.targetProgram,
        // Never auto-attached: a refused uprobe stays detached, not attached to every process.
        skip: userProbes.refused.map((r) => r.program),
      });
    } catch (error) {
      this.fail({ code: 'attach_failed', message: `Attaching failed: ${describeBpfError(error)}` });
      return false;
    }
    this.timings.attachMs = Math.round(performance.now() - attachStarted);
    this.programs = attached.programs;
    const refusals = userProbes.refused.map((r) => ({ program: r.program, attached: false, code: 'EPERM', message: r.message, refused: true }));
    const programs = this.programMeta([...attached.results, ...refusals]);
    this.deps.send({ type: 'attached', runId: this.id, programs });
    if (!programs.some((p) => p.attached)) {
      const why = programs
        .filter((p) => !p.notLoaded)
        .map((p) => `${p.name}: ${p.attachError}`)
        .join('; ');
      this.fail({ code: 'attach_failed', message: `No program could be attached: ${why || 'the object has no programs'}.` });
      return false;
    }
    return true;
  }

  private running(): void {
    const { kernel } = this.deps;
    this.unsubscribeTrace = this.deps.side.subscribeTrace(this.deps.traceSecret, (lines, kernelLost) => this.deps.onTrace(this.id, lines, kernelLost));
    this.setState('running', 'run');
    this.maps.startPolling();
    // The translated code is for the Inspect tab too: read when asked, once the program is running.
    const ids = this.programs.flatMap((p) => (p.id === null ? [] : [{ name: p.name, id: p.id }]));
    this.inspect.set('loaded', () => {
      const fileNames = this.files.map((f) => f.name);
      void (kernel.info.kind === 'host' ? dumpLoadedCode(ids, fileNames) : Promise.resolve(notShownInVm(ids))).then((programs) => {
        if (!this.stopped) this.deps.send({ type: 'loaded_code', runId: this.id, programs });
      });
    });
    this.statsTimer = setInterval(() => void this.checkCpu(), 1000);
  }

  /** Adds the structs of the user's headers to what event records may be decoded as, once they are compiled. */
  private addHeaderTypes(events: EventStreams): Promise<void> {
    const { config } = this.deps;
    const { toolchain } = this.deps.kernel;
    const context = compileContext(this.deps.kernel, this.deps.traceSecret);
    return this.deps.skeletonQueue
      .run(() => compileTypeInfo(config, toolchain, this.files, context))
      .then((raw) => {
        if (!this.stopped) events.addTypes(raw);
      });
  }

  /** Records from the loader, for the run's ring buffers and perf event arrays. */
  onEvents(events: RunnerEvents): void {
    if (!this.stopped) this.opened?.events.onEvents(events);
  }

  /** The runner process (or the session's VM) died under this run: the kernel has freed its programs already. */
  runnerDied(reason: string): void {
    if (this.stopped || this.state === 'error') return;
    this.loaderAlive = false;
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

  /** Every listable map, read whole now (for a lesson check). */
  readMaps() {
    return this.maps.readAll();
  }

  /**
   * Detaches and closes everything. Safe to call at any stage and more than once.
   * A Stop the user pressed (`lastMaps`) first reads the maps once more, so what
   * they show, and what the CLI reports, is what the maps held at the end.
   */
  stop(options: { lastMaps?: boolean } = {}): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.stopped = true;
    // The reads are sent before the close, and the loader answers in order: they see the maps still open.
    const lastRead = options.lastMaps && this.state === 'running' && this.loaderAlive ? this.opened?.maps.readLast() : undefined;
    this.close();
    const settle = () => {
      if (this.state !== 'error') this.setState('stopped', this.stage);
    };
    // Without a last read the state changes now, while the session still counts this run as its own.
    if (!lastRead) return Promise.resolve(settle());
    return lastRead.then(settle);
  }

  /** Gives the maps' share of the kernel's memory back: set once the Run reserved it. */
  private releaseMemory: () => void = () => {};

  private close(): void {
    this.releaseMemory();
    this.unsubscribeTrace?.();
    this.unsubscribeTrace = null;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    this.opened?.events.setFlowing(false);
    this.opened?.maps.close();
    // A dead runner has nothing left to close: the kernel already freed it all.
    if (this.opened && this.loader && this.loaderAlive) this.loader.call('close', {}).catch(() => {});
    this.opened = null;
  }

  /**
   * Reads the programs' run time, sends it to the client, and detaches them
   * when, over the budget window, they used more CPU than the operator allows.
   */
  private async checkCpu(): Promise<void> {
    let programs: RunnerCalls['stats']['result'];
    try {
      programs = await this.loader!.call('stats', {});
    } catch {
      return;
    }
    if (this.stopped || this.state !== 'running') return;
    const reading = this.cpu.sample(
      programs.reduce((sum, p) => sum + p.runTimeNs, 0),
      performance.now(),
    );
    this.deps.send({ type: 'stats', runId: this.id, programs, cpuShare: reading.share });
    if (reading.over) this.fail({ code: 'policy_denied', message: this.cpu.refusal(reading.share) });
  }

  /** `refused`: after a rejected load, the refused program's figures, read from its log (the others were unloaded with it). */
  private programMeta(
    results?: { program: string; attached: boolean; message?: string; code?: string; cpus?: number; refused?: boolean }[],
    refused?: { program: string; figures: VerifierFigures } | null,
  ): ProgramMeta[] {
    return this.programs.map((p) => {
      const result = results?.find((r) => r.program === p.name);
      const notLoaded = this.changes.find((c) => c.kind === 'program' && c.name === p.name)?.message;
      const verifier = refused?.program === p.name ? refused.figures : p.verifierStats ? verifierFigures(p.verifierStats) : null;
      return {
        name: p.name,
        section: p.section,
        type: p.typeName,
        instructions: p.insnCount,
        ...(p.verifiedInsns ? { verifiedInstructions: p.verifiedInsns } : {}),
        ...(verifier ? { verifier } : {}),
        attached: result?.attached ?? false,
        attachError:
          result && !result.attached
            ? result.refused
              ? result.message
              : (explainMissingCapability(p.section, this.deps.kernel.capabilities)?.replace(/\.$/, '') ??
                explainAttachFailure(p.section, result, this.options.attach?.perfEvent))
            : undefined,
        ...(notLoaded ? { notLoaded } : {}),
        ...(result?.cpus ? { cpus: result.cpus, perfEvent: this.options.attach?.perfEvent ?? 'cpu-clock' } : {}),
      };
    });
  }

  private setState(state: RunState, stage: Stage, error?: PlaygroundError, queuePosition?: number): void {
    this.state = state;
    this.stage = stage;
    this.deps.send({ type: 'run_state', runId: this.id, state, stage, timings: { ...this.timings }, error, queuePosition });
    if (state === 'running' || state === 'error' || state === 'stopped') this.markSettled();
  }

  private failLoad(error: unknown, stage: 'open' | 'load'): void {
    if (this.state === 'error') return;
    const failure = describeLoadFailure(error as RunnerCallError, {
      stage,
      mainFile: this.mainFile,
      files: this.files.map((f) => f.name),
      sections: this.programs.map((p) => p.section),
      kernel: this.deps.kernel,
      maps: this.opened ? [...this.opened.maps.codecs.values()].map((c) => c.info) : [],
      verifierLogBytes: this.deps.config.limits.verifierLogBytes,
    });
    this.deps.send({
      type: 'loaded',
      runId: this.id,
      ok: false,
      verifierLog: failure.verifierLog,
      libbpfLog: failure.libbpfLog,
      programs: this.programMeta(undefined, refusedProgramFigures(failure.libbpfLog, failure.verifierLog)),
      maps: this.opened?.maps.meta() ?? [],
      logTruncated: this.logTruncated,
      explanation: failure.explanation,
      diagnostics: failure.diagnostics,
    });
    this.fail(failure.error);
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
/** Which program the verifier refused (libbpf names it) and its figures, from the log the load returned. */
function refusedProgramFigures(libbpfLog: string, verifierLog: string | null): { program: string; figures: VerifierFigures } | null {
  const program = /prog '([^']+)': BPF program load failed/.exec(libbpfLog)?.[1];
  const figures = verifierLog ? verifierFigures(verifierLog) : null;
  return program && figures ? { program, figures } : null;
}

function notShownInVm(programs: { name: string }[]) {
  return programs.map(({ name }) => ({
    name,
    xlated: `Program ${name} runs in your session's VM; the translated code is shown for the host kernel only.`,
    xlatedLines: [],
    jited: null,
  }));
}
