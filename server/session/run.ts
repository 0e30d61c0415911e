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
import { Btf } from '../btf/btf.ts';
import { compile, generateSkeleton } from '../compile/compiler.ts';
import type { CompileQueue } from '../compile/compile-queue.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { Config } from '../config.ts';
import { MapCodec } from '../maps/map-codec.ts';
import { RunnerCallError, type Runner } from '../runner/runner.ts';
import type { OpenResult } from '../runner/runner-protocol.ts';
import { checkPolicy } from '../policy/policy.ts';
import { helperNames } from '../policy/helper-ids.ts';
import type { TraceInstance } from '../trace/trace-instance.ts';
import { formatTraceTag } from '../trace/trace-line.ts';

export interface RunDeps {
  config: Config;
  toolchain: Toolchain;
  trace: TraceInstance;
  /** Shared by every session: compiles wait here for a free core. */
  compileQueue: CompileQueue;
  /**
   * Skeletons wait in their own line, one at a time, behind no compile: they
   * are for reading, and every jail counts against nobody's process limit.
   */
  skeletonQueue: CompileQueue;
  /** The session's runner process, which owns the loaded object. */
  runner: Runner;
  /** The session's secret trace tag: its programs' bpf_printk lines start with it. */
  traceSecret: string;
  /** Sends a message to the session's client. */
  send: (message: ServerMessage) => void;
  /** Trace lines go through the session, which rate-limits and counts drops. */
  onTrace: (runId: string | number, lines: TraceLine[]) => void;
}

type RunId = string | number;

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
  private lastSnapshot = '';
  private mapIntervalMs: number;
  private readonly cpuSamples: { at: number; runTimeNs: number }[] = [];
  private statsTimer: NodeJS.Timeout | null = null;
  /** The verifier's log was cut even in the biggest buffer tried. */
  private logTruncated = false;
  private readonly mainFile: string;

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
    const { config, toolchain, send } = this.deps;
    const compiled = await this.deps.compileQueue.run(
      () => {
        this.setState('compiling', 'compile');
        return compile(config, toolchain, this.files, { traceTag: formatTraceTag(this.deps.traceSecret) });
      },
      (position) => this.setState('queued', 'compile', undefined, position),
    );
    this.timings.compileMs = Math.round(compiled.durationMs);
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

    // The skeleton is for reading, not loading: make it beside the load, off the critical path.
    const object = compiled.object;
    void this.deps.skeletonQueue.run(() => generateSkeleton(config, toolchain, object, compiled.name)).then((skeleton) => {
      this.timings.skeletonMs = Math.round(skeleton.durationMs);
      send({ type: 'skeleton', runId: this.id, ok: skeleton.ok, text: skeleton.text });
    });

    this.setState('loading', 'load');
    const { runner } = this.deps;
    const loadStarted = performance.now();
    let opened: OpenResult;
    let btf: Btf | null;
    try {
      opened = await runner.call('open', { object: compiled.object, name: compiled.name });
      this.opened = true;
      this.programs = opened.programs;
      btf = opened.btf ? Btf.parse(opened.btf) : null;
      for (const info of opened.maps) this.codecs.set(info.name, new MapCodec(info, btf, opened.possibleCpus));
    } catch (error) {
      return this.failLoad(error, 'load_failed', 'libbpf could not open the object');
    }
    if (this.stopped) return this.close();
    const violations = checkPolicy(config.policy, {
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
    try {
      const loaded = await this.load(compiled.object, compiled.name);
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
      });
    } catch (error) {
      this.timings.loadMs = Math.round(performance.now() - loadStarted);
      return this.failLoad(error, 'verifier_rejected', 'The kernel refused to load the program');
    }

    // Between load and attach: the user-space half of the program writes its map entries.
    for (const seed of this.seeds) {
      const problem = await this.writeEntry(seed.map, seed.key, seed.value);
      if (problem) return this.fail({ code: 'seed_failed', message: `Seeding map ${seed.map} failed: ${problem}` });
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

    this.unsubscribeTrace = this.deps.trace.subscribe(this.deps.traceSecret, (lines) => this.deps.onTrace(this.id, lines));
    this.setState('running', 'run');
    this.pollMaps();
    this.statsTimer = setInterval(() => void this.checkCpu(), 1000);
  }

  /**
   * Loads the opened object. When the verifier's log did not fit its buffer
   * (ENOSPC), opens the object again with a bigger one, up to the cap: libbpf
   * cannot load an object twice.
   */
  private async load(object: Buffer, name: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.deps.runner.call('load', {});
      } catch (error) {
        if ((error as RunnerCallError).code !== 'ENOSPC') throw error;
        const logSize = VERIFIER_LOG_SIZES[attempt + 1];
        if (logSize === undefined || this.stopped) {
          this.logTruncated = true;
          throw error;
        }
        await this.deps.runner.call('open', { object, name, logSize });
      }
    }
  }

  /** Writes one entry by its JSON key and value; resolves to the problem in one sentence, or null. */
  async writeEntry(mapName: string, key: Json, value: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || !this.opened) return `there is no map named "${mapName}" in this program.`;
    if (!codec.meta().writable) return `map ${mapName} (${codec.info.typeName}) cannot be written from user space here.`;
    const k = codec.encodeKey(key);
    if (!k.ok) return k.error;
    const v = codec.encodeValue(value);
    if (!v.ok) return v.error;
    try {
      await this.deps.runner.call('update', { map: mapName, key: k.bytes, value: v.bytes });
    } catch (error) {
      return describeBpfError(error);
    }
    this.refreshSoon();
    return null;
  }

  async deleteEntry(mapName: string, key: Json): Promise<string | null> {
    const codec = this.codecs.get(mapName);
    if (!codec || !this.opened) return `there is no map named "${mapName}" in this program.`;
    const k = codec.encodeKey(key);
    if (!k.ok) return k.error;
    try {
      await this.deps.runner.call('delete', { map: mapName, key: k.bytes });
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
    const replaced = message.type === 'maps' || message.type === 'run_state' ? this.history.findIndex((m) => m.type === message.type) : -1;
    if (replaced >= 0) this.history.splice(replaced, 1);
    this.history.push(message);
    send(message);
  }

  /** The runner process died under this run: the kernel has freed its programs already. */
  runnerDied(reason: string): void {
    if (this.stopped || this.state === 'error') return;
    this.opened = false;
    this.fail({ code: 'internal', message: `The loader process for your session stopped (${reason}); nothing of your program is left in the kernel. Press Run to start again.` });
  }

  /** Detaches and closes everything. Safe to call at any stage and more than once. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.close();
    if (this.state !== 'error') this.setState('stopped', this.stage);
  }

  private close(): void {
    this.unsubscribeTrace?.();
    this.unsubscribeTrace = null;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
    if (this.opened) {
      this.opened = false;
      // A dead runner has nothing left to close: the kernel already freed it all.
      this.deps.runner.call('close', {}).catch(() => {});
    }
  }

  private refreshSoon(): void {
    if (this.state !== 'running') return;
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = setTimeout(() => this.pollMaps(), 0);
  }

  private async pollMaps(): Promise<void> {
    this.pollTimer = null;
    if (!this.opened || this.stopped) return;
    const snapshots: MapSnapshot[] = [];
    for (const codec of this.codecs.values()) {
      if (!codec.iterable) continue;
      snapshots.push(await this.snapshot(codec));
    }
    if (this.stopped) return;
    // Maps that did not change since the last read are not sent again.
    const text = JSON.stringify(snapshots);
    if (text !== this.lastSnapshot) {
      this.lastSnapshot = text;
      this.deps.send({ type: 'maps', runId: this.id, maps: snapshots });
    }
    if (!this.pollTimer) this.pollTimer = setTimeout(() => this.pollMaps(), this.mapIntervalMs);
  }

  /**
   * Reads the programs' run time, sends it to the client, and detaches them
   * when, over the budget window, they used more CPU than the operator allows.
   */
  private async checkCpu(): Promise<void> {
    const { cpuBudget, cpuWindowMs } = this.deps.config.limits;
    let programs;
    try {
      programs = await this.deps.runner.call('stats', {});
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

  private async snapshot(codec: MapCodec): Promise<MapSnapshot> {
    const shown = this.deps.config.limits.mapEntriesShown;
    try {
      const dump = await this.deps.runner.call('dump', { map: codec.info.name, max: shown + 1 });
      const count = Math.min(dump.count, shown);
      let entries = codec.decodeEntries(dump.keys, dump.values, count);
      // bpf_printk's format strings live in .rodata, each with the session's tag in front.
      if (codec.info.isInternal) entries = withoutTag(entries, formatTraceTag(this.deps.traceSecret)) as MapEntry[];
      return { name: codec.info.name, entries, count: dump.count, truncated: dump.count > shown };
    } catch (error) {
      return { name: codec.info.name, entries: [], count: 0, truncated: false, error: describeBpfError(error) };
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
        attachError: result && !result.attached ? explainAttachFailure(p.section, result) : undefined,
      };
    });
  }

  private setState(state: RunState, stage: Stage, error?: PlaygroundError, queuePosition?: number): void {
    this.state = state;
    this.stage = stage;
    this.deps.send({ type: 'run_state', runId: this.id, state, stage, timings: { ...this.timings }, error, queuePosition });
  }

  private failLoad(error: unknown, code: PlaygroundError['code'], what: string): void {
    const err = error as RunnerCallError;
    this.deps.send({
      type: 'loaded',
      runId: this.id,
      ok: false,
      verifierLog: err.verifierLog ? clipLog(err.verifierLog, this.deps.config.limits.verifierLogBytes) : null,
      libbpfLog: err.libbpfLog ?? '',
      programs: this.programMeta(),
      maps: [...this.codecs.values()].map((codec) => codec.meta()),
      logTruncated: this.logTruncated,
    });
    // EPERM and friends are the kernel refusing the kind of program, not the verifier judging its code.
    const verifier = code === 'verifier_rejected' && err.verifierLog && ['EACCES', 'EINVAL', 'E2BIG', 'ENOSPC'].includes(err.code);
    this.fail({
      code: verifier ? 'verifier_rejected' : 'load_failed',
      message: `${what}: ${explainLoadFailure(err, this.programs.map((p) => p.section))}${verifier ? ' The verifier log says why.' : ''}`,
    });
  }

  private fail(error: PlaygroundError): void {
    this.close();
    this.setState('error', this.stage, error);
  }
}

/**
 * A log longer than the limit keeps its start (what was loaded) and its end
 * (where and why it failed), and says how much of the middle is left out.
 */
export function clipLog(log: string, maxBytes: number): string {
  if (log.length <= maxBytes) return log;
  const head = Math.floor(maxBytes / 16);
  const tail = maxBytes - head;
  const cut = log.length - head - tail;
  return `${log.slice(0, head)}\n… ${cut.toLocaleString('en-US')} characters of the log are left out here …\n${log.slice(-tail)}`;
}

function describeBpfError(error: unknown): string {
  if (error instanceof RunnerCallError) return `${error.message} (${error.code}).`;
  return (error as Error).message;
}

/** One sentence for the load failures a learner meets most. */
function explainLoadFailure(err: RunnerCallError, sections: string[]): string {
  const log = `${err.libbpfLog ?? ''}\n${err.verifierLog ?? ''}`;
  const missing = /failed to find kernel BTF type ID of '([^']+)'/.exec(log);
  if (missing) return `this kernel has no function named ${missing[1]} to attach to.`;
  const trampoline = sections.find((s) => /^(fentry|fexit|fmod_ret|lsm)(\.s)?\//.test(s));
  if (err.code === 'EPERM' && trampoline) {
    return `this kernel refuses SEC("${trampoline}") programs (fentry, fexit and lsm need the BPF trampoline, which is not allowed here); use a tracepoint or tp_btf instead.`;
  }
  if (/bpf_probe_write_user/.test(log)) return 'bpf_probe_write_user is refused while the kernel is locked down.';
  if (err.code === 'EACCES' || err.code === 'EINVAL') return `the verifier rejected it (${err.code}).`;
  return `${err.message} (${err.code ?? 'error'}).`;
}

/** Why a program did not attach, as a clause (no final stop: it is quoted inside sentences). */
function explainAttachFailure(section: string, result: { code?: string; message?: string }): string {
  if (/^k(ret)?probe\/|^ksyscall\//.test(section) && (result.code === 'ENOENT' || result.code === 'EOPNOTSUPP' || result.code === 'ENODEV')) {
    return 'this kernel has no kprobes (CONFIG_KPROBES is off), so use a tracepoint, raw_tp or tp_btf instead';
  }
  if (result.code === 'EOPNOTSUPP' || result.code === 'ESRCH') {
    return `libbpf cannot attach a "${section}" program by itself, it needs a target (an interface, a socket or a perf event)`;
  }
  return `${result.message ?? 'attach failed'} (${result.code ?? 'error'})`;
}

/** The value with the trace tag taken off the front of every string in it. */
function withoutTag(value: unknown, tag: string): unknown {
  if (typeof value === 'string') return value.startsWith(tag) ? value.slice(tag.length) : value;
  if (Array.isArray(value)) return value.map((v) => withoutTag(v, tag));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutTag(v, tag)]));
  return value;
}
