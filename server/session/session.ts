import { randomBytes, randomUUID } from 'node:crypto';
import {
  type ClientMessage,
  type HostInfo,
  type Json,
  type MapSeed,
  type PlaygroundError,
  type ServerMessage,
  type SourceFile,
  type TraceLine,
} from '../../protocol/messages.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { CompileQueue } from '../compile/compile-queue.ts';
import { checkSources, compile, ensureMinimalBtf } from '../compile/compiler.ts';
import { CompileCache } from '../compile/compile-cache.ts';
import type { Config } from '../config.ts';
import { loadExamples } from '../examples.ts';
import { exportProject } from '../export/project.ts';
import { bundledCourse } from '../lessons/course.ts';
import { checkRunningProgram } from '../lessons/lesson-check.ts';
import type { ShareStore } from '../share/store.ts';
import type { RoomHub, RoomMember } from '../rooms/room-hub.ts';
import type { Kernels } from '../sandbox/kernels.ts';
import type { Kernel, KernelSide, Loader, LoaderWait } from '../sandbox/sandbox.ts';
import { TokenBucket } from './rate-limit.ts';
import { compileContext, Run } from './run.ts';

export interface SessionDeps {
  config: Config;
  toolchain: Toolchain | null;
  host: HostInfo;
  /** The kernels a Run may choose (host, VM kernels), each with its own toolchain headers and policy. */
  kernels: Kernels;
  compileQueue: CompileQueue;
  skeletonQueue: CompileQueue;
  /** Compiles the page asks for while its user types: they run only when no Run waits for a core. */
  prepareQueue: CompileQueue;
  compileCache: CompileCache;
  shares: ShareStore;
  rooms: RoomHub;
}

/** How a session reaches its client: the WebSocket, seen only through these calls. */
export interface Outbox {
  send(text: string): void;
  /** Bytes queued and not yet sent to the client. */
  readonly bufferedAmount: number;
  /** Ends the connection, saying why. */
  close(reason: string): void;
}

type RequestId = string | number;

/**
 * One browser tab (or CLI run): its current Run, its loader process, and its
 * share of the trace stream. It outlives a dropped connection for a grace
 * period, so a reconnect picks up the running program. Trace lines past the
 * session's rate, or piling up behind a slow client, are dropped and counted,
 * never buffered without bound.
 */
export class Session implements RoomMember {
  readonly id = randomUUID();
  /** Proves a reconnecting client is this session's: the id alone is not enough. */
  readonly resumeToken = randomBytes(18).toString('base64url');
  readonly expiresAt: number;
  /** Known only to this session's compiles and the trace router: other sessions cannot forge its lines. */
  private readonly traceSecret = randomBytes(9).toString('base64url');
  private outbox: Outbox | null = null;
  private run: Run | null = null;
  /** This session's hold on the kernel its last Run chose: a runner on the host, or its own VM. */
  private side: KernelSide | null = null;
  /** The loader the current Run uses: its death is news only while it is this one. */
  private loader: Loader | null = null;
  private droppedLines = 0;
  private readonly traceBucket: TokenBucket;
  private readonly runBucket: TokenBucket;
  private slowSince: number | null = null;
  private idleTimer: NodeJS.Timeout | null = null;
  private closed = false;
  /** A lesson check in progress watches the run's lines and records here, before any rate limit. */
  private readonly traceWatchers = new Set<(lines: TraceLine[]) => void>();
  private readonly recordWatchers = new Set<(values: (Json | null)[]) => void>();
  private checking = false;
  /** The newest files the page asked to have compiled; a queued prepare compiles these when it starts. */
  private prepareFiles: SourceFile[] | null = null;
  private prepareQueued: Promise<void> | null = null;
  private readonly prepareBucket = new TokenBucket(PREPARES_PER_SECOND, PREPARE_BURST);
  private readonly roomBucket = new TokenBucket(ROOM_UPDATES_PER_SECOND, ROOM_UPDATE_BURST);

  constructor(
    private readonly deps: SessionDeps,
    private readonly encode: (message: ServerMessage) => string,
    /** Called once when the session ends, so the registry forgets it. */
    private readonly onClose: (session: Session) => void,
  ) {
    const { limits } = deps.config;
    this.expiresAt = Date.now() + limits.sessionLifetimeMs;
    this.traceBucket = new TokenBucket(limits.traceLinesPerSecond, limits.traceBurstLines);
    this.runBucket = new TokenBucket((limits.runsPerWindow * 1000) / limits.runWindowMs, limits.runsPerWindow);
    this.touch();
  }

  /** Binds the session to a (new) connection. */
  connect(outbox: Outbox): void {
    this.outbox?.close('This session was opened in another connection.');
    this.outbox = outbox;
    this.slowSince = null;
  }

  /** The connection dropped: the program goes on, and its lines are counted as dropped, until a reconnect. */
  disconnect(outbox: Outbox): void {
    if (this.outbox === outbox) this.outbox = null;
  }

  get connected(): boolean {
    return this.outbox !== null;
  }

  /** The run's messages so far, for a client that reconnects. */
  replay(): void {
    for (const message of this.run?.history ?? []) this.send(message);
  }

  handle(message: Exclude<ClientMessage, { type: 'hello' }>): void {
    this.touch();
    switch (message.type) {
      case 'get_examples':
        return this.send({ type: 'examples', id: message.id, examples: loadExamples() });
      case 'run':
        return this.startRun(message.id, message.files, message.seeds, message.kernel);
      case 'prepare':
        return void this.prepare(message.id, message.files, message.kernel);
      case 'inspect':
        if (!this.run) return this.reply(message.id, { code: 'not_running', message: 'Press Run first: Inspect shows what the last Run built.' });
        this.run.requestInspect();
        return this.reply(message.id);
      case 'stop':
        if (!this.run) return this.reply(message.id, { code: 'not_running', message: 'Nothing is running.' });
        this.run.stop();
        this.run = null;
        return this.reply(message.id);
      case 'map_update':
      case 'map_delete': {
        if (!this.run?.isLoaded) return this.reply(message.id, { code: 'not_running', message: 'Maps can be changed while a program is loaded: press Run first.' });
        const id = message.id;
        const written = message.type === 'map_update'
          ? this.run.writeEntry(message.map, message.key, message.value)
          : this.run.deleteEntry(message.map, message.key);
        void written.then((problem) => this.reply(id, problem ? { code: 'map_error', message: capitalize(problem) } : undefined));
        return;
      }
      case 'set_map_interval':
        this.run?.setMapInterval(message.ms);
        return this.reply(message.id);
      case 'trigger':
        // Where the program's kernel is: the host, or the session's VM.
        (this.side ?? this.deps.kernels.default?.open())?.trigger(message.what);
        return this.reply(message.id);
      case 'export':
        return void this.exportProject(message);
      case 'share': {
        const problem = checkSources(message.files, this.deps.config.limits.sourceBytes);
        if (problem) return this.send({ type: 'shared', id: message.id, ok: false, error: { code: 'bad_request', message: problem } });
        if (this.runBucket.take(1) === 0) {
          return this.send({ type: 'shared', id: message.id, ok: false, error: { code: 'rate_limited', message: 'Too many runs and shares at once: wait a moment and try again.' } });
        }
        return this.send({ type: 'shared', id: message.id, ok: true, shareId: this.deps.shares.create(message.files, message.seeds) });
      }
      case 'get_share': {
        const shared = this.deps.shares.get(message.shareId);
        if (!shared) {
          return this.send({ type: 'share_content', id: message.id, ok: false, error: { code: 'bad_request', message: `There is no shared program "${message.shareId}": check the link.` } });
        }
        return this.send({ type: 'share_content', id: message.id, ok: true, ...shared });
      }
      case 'get_lessons': {
        const course = bundledCourse();
        return this.send({ type: 'lessons', id: message.id, course: { title: course.title, description: course.description }, lessons: course.lessons.map((l) => l.lesson) });
      }
      case 'check':
        return void this.check(message);
      case 'room_create':
      case 'room_join':
        // Both write to the store: they spend the Run budget, so a script cannot fill it.
        if (this.runBucket.take(1) === 0) {
          return this.send({ type: 'room', id: message.id, ok: false, error: { code: 'rate_limited', message: 'Too many requests at once: wait a moment and try again.' } });
        }
        return this.deps.rooms.handle(this, message);
      case 'room_instructor':
      case 'room_leave':
      case 'room_update':
      case 'room_hand':
      case 'room_push':
      case 'room_view':
      case 'room_lower_hand':
        // Each may write to the store: a page sends a few a second at most, a script is cut off.
        if (this.roomBucket.take(1) === 0) return this.reply(message.id, { code: 'rate_limited', message: 'Too many room updates at once: wait a moment.' });
        return this.deps.rooms.handle(this, message);
      case 'set_event_type': {
        if (!this.run) return this.reply(message.id, { code: 'not_running', message: 'Nothing is running.' });
        const problem = this.run.setEventType(message.map, message.typeName);
        return this.reply(message.id, problem ? { code: 'bad_request', message: capitalize(problem) } : undefined);
      }
    }
  }

  /** Ends the session: nothing of its run stays in the kernel. Safe to call twice. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.run?.stop();
    this.run = null;
    this.side?.close();
    this.side = null;
    this.loader = null;
    this.deps.rooms.leave(this);
    if (reason) {
      this.send({ type: 'session_end', reason });
      this.outbox?.close(reason);
    }
    this.outbox = null;
    this.onClose(this);
  }

  /** A user action: the idle clock starts again. */
  private touch(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      // Idle: the program and its kernel side (runner or VM) go; the session stays for the next Run.
      this.side?.close();
      this.side = null;
      this.loader = null;
      if (!this.run) return;
      this.run.stop();
      this.run = null;
      this.send({ type: 'session_end', reason: `Your program was stopped after ${describeDuration(this.deps.config.limits.idleMs)} without activity. Press Run to start it again.` });
    }, this.deps.config.limits.idleMs);
    this.idleTimer.unref();
  }

  private startRun(id: RequestId, files: SourceFile[], seeds: MapSeed[], kernelName: string | undefined): void {
    const { config, toolchain, host, kernels } = this.deps;
    if (!toolchain || !kernels.default || host.problems.length) {
      return this.reply(id, { code: 'host_unsupported', message: host.problems[0] ?? 'This host cannot load BPF programs.' });
    }
    const kernel = kernels.byName(kernelName);
    if (!kernel) return this.reply(id, { code: 'bad_request', message: `There is no kernel named "${kernelName}" here: choose one of ${kernels.names()}.` });
    if (this.runBucket.take(1) === 0) {
      return this.reply(id, { code: 'rate_limited', message: `Too many runs: at most ${config.limits.runsPerWindow} every ${config.limits.runWindowMs / 1000} s. Wait a moment and press Run again.` });
    }
    const problem = checkSources(files, config.limits.sourceBytes);
    if (problem) return this.reply(id, { code: 'bad_request', message: problem });
    // One run per session: a new Run replaces the old one.
    this.run?.stop();
    this.droppedLines = 0;
    const side = this.sideFor(kernel);
    const run = new Run(id, files, seeds, {
      config,
      kernel,
      side,
      compileQueue: this.deps.compileQueue,
      compileCache: this.deps.compileCache,
      skeletonQueue: this.deps.skeletonQueue,
      takeLoader: (onWait) => this.takeLoader(side, onWait),
      traceSecret: this.traceSecret,
      send: (message) => {
        if (this.run !== run) return;
        this.send(message);
        if (message.type === 'run_state') this.deps.rooms.runState(this, message);
        // A host runner costs ~45 MB: a session keeps one only while its program is loaded (a VM stays).
        if (message.type === 'run_state' && (message.state === 'stopped' || message.state === 'error')) {
          // Whatever happens to the loader now is no run's news: the next Run takes it again.
          this.loader = null;
          side.idle();
        }
      },
      onTrace: (runId, lines, kernelLost) => this.forwardTrace(runId, lines, kernelLost),
      onRecords: (values) => {
        for (const watch of this.recordWatchers) watch(values);
      },
      sendBulk: (message) => {
        if (this.run !== run || !this.outbox || this.isSlow()) return false;
        this.send(message);
        return true;
      },
    });
    this.run = run;
    this.reply(id);
    void run.start();
  }

  /** Builds the program as a standalone libbpf project and sends it back as a zip. */
  private async exportProject(message: Extract<ClientMessage, { type: 'export' }>): Promise<void> {
    const { config, toolchain } = this.deps;
    const id = message.id;
    if (!toolchain) return this.send({ type: 'exported', id, ok: false, error: { code: 'host_unsupported', message: 'This host has no BPF toolchain.' } });
    // It compiles, so it counts against the same Run budget and waits in the same line.
    if (this.runBucket.take(1) === 0) {
      return this.send({ type: 'exported', id, ok: false, error: { code: 'rate_limited', message: 'Too many runs and exports at once: wait a moment and try again.' } });
    }
    const result = await exportProject(
      { files: message.files, seeds: message.seeds, name: message.name, language: message.language },
      { config, toolchain, schedule: (job) => this.deps.compileQueue.run(job) },
    ).catch((error) => ({ ok: false as const, code: 'internal' as const, error: `The export failed: ${(error as Error).message}` }));
    this.send(
      result.ok
        ? { type: 'exported', id, ok: true, fileName: `${result.name}.zip`, zipBase64: Buffer.from(result.zip).toString('base64') }
        : { type: 'exported', id, ok: false, error: { code: result.code, message: result.error } },
    );
  }

  /**
   * Compiles the files into the cache, so that Run finds them built. Only the
   * newest files matter: a prepare waiting for its turn compiles whatever the
   * page sent last. Nothing here is a Run: no rate budget is spent, and it
   * yields to every Run waiting for a core.
   */
  private async prepare(id: RequestId, files: SourceFile[], kernelName: string | undefined): Promise<void> {
    const { config, compileCache, prepareQueue } = this.deps;
    const kernel = this.deps.kernels.byName(kernelName);
    if (!kernel) return this.reply(id, { code: 'bad_request', message: `There is no kernel named "${kernelName}" here: choose one of ${this.deps.kernels.names()}.` });
    const { toolchain } = kernel;
    const problem = checkSources(files, config.limits.sourceBytes);
    if (problem) return this.reply(id, { code: 'bad_request', message: problem });
    this.prepareFiles = files;
    // One compile ahead at a time: wait for it, then see whether it (or a newer prepare) took these files.
    while (this.prepareQueued) await this.prepareQueued;
    if (this.prepareFiles !== files) return this.reply(id);
    if (this.prepareBucket.take(1) === 0) return this.reply(id, { code: 'rate_limited', message: 'Not compiled ahead: the page asked too often; Run will compile it.' });
    const job = prepareQueue
      .run(async () => {
        const latest = this.prepareFiles;
        this.prepareFiles = null;
        if (!latest || this.closed) return;
        const context = compileContext(kernel, this.traceSecret);
        const key = CompileCache.key(toolchain, latest, context, config.compileJail);
        if (compileCache.get(key) || compileCache.inFlight(key)) return;
        const entry = await compileCache.compileInto(key, () => compile(config, toolchain, latest, context));
        // Its first Run then loads against the minimal BTF too (made in the skeletons' line).
        ensureMinimalBtf(entry, latest, { config, toolchain, queue: this.deps.skeletonQueue });
        await entry.minimalBtf;
      })
      // A compile ahead that could not run is no one's problem: Run compiles and reports.
      .catch(() => {});
    this.prepareQueued = job;
    await job;
    if (this.prepareQueued === job) this.prepareQueued = null;
    this.reply(id);
  }

  /** Starts the lesson's workload against the running program and says whether it passes. */
  private async check(message: Extract<ClientMessage, { type: 'check' }>): Promise<void> {
    const id = message.id;
    const fail = (code: PlaygroundError['code'], text: string) => this.send({ type: 'check_result', id, ok: false, lesson: message.lesson, error: { code, message: text } });
    const lesson = message.lesson ? bundledCourse().lessons.find((l) => l.lesson.name === message.lesson) : undefined;
    const spec = lesson ?? message.spec;
    if (!spec) return fail('bad_request', message.lesson ? `There is no lesson named "${message.lesson}".` : 'Name a lesson, or give a workload and a check.');
    const run = this.run;
    if (!run || run.state !== 'running') return fail('not_running', 'Press Run first: the check watches your running program.');
    if (this.checking) return fail('busy', 'A check is already running: wait for its result.');
    // A check starts a process, so it spends the same budget as a Run.
    if (this.runBucket.take(1) === 0) return fail('rate_limited', 'Too many runs and checks at once: wait a moment and try again.');
    this.checking = true;
    try {
      const verdict = await checkRunningProgram(spec, {
        readMaps: () => run.readMaps(),
        watch: (onTrace, onRecords) => {
          this.traceWatchers.add(onTrace);
          this.recordWatchers.add(onRecords);
          return () => {
            this.traceWatchers.delete(onTrace);
            this.recordWatchers.delete(onRecords);
          };
        },
        runWorkload: (plan) => run.runWorkload(plan),
      });
      if (this.run !== run) return fail('not_running', 'The program stopped during the check: press Run, then Check again.');
      this.send({ type: 'check_result', id, ok: true, lesson: message.lesson, pass: verdict.pass, message: verdict.message, facts: verdict.facts });
      if (verdict.pass && lesson) this.deps.rooms.passed(this, lesson.lesson.name);
    } catch (error) {
      fail('internal', `The check could not run: ${(error as Error).message}.`);
    } finally {
      this.checking = false;
    }
  }

  /** The session's side of `kernel`: kept across Runs on the same kernel, replaced when a Run picks another. */
  private sideFor(kernel: Kernel): KernelSide {
    if (this.side?.kernel === kernel) return this.side;
    this.side?.close();
    this.loader = null;
    this.side = kernel.open();
    return this.side;
  }

  private async takeLoader(side: KernelSide, onWait: (wait: LoaderWait) => void): Promise<Loader> {
    const loader = await side.loader(onWait);
    if (this.side !== side || this.closed) {
      // The session moved on (closed, or another kernel) while the loader was being readied.
      side.close();
      throw new Error('the session ended while its kernel was being readied');
    }
    loader.onEvents = (events) => this.run?.onEvents(events);
    loader.onExit = (reason) => {
      // A loader this session let go of ends as planned; only the current one's death is news.
      if (this.loader !== loader) return;
      this.loader = null;
      this.run?.runnerDied(reason);
    };
    this.loader = loader;
    return loader;
  }

  private forwardTrace(runId: RequestId, lines: TraceLine[], kernelLost: number): void {
    const { limits } = this.deps.config;
    for (const watch of this.traceWatchers) watch(lines);
    // The session's rate first: a flood costs its own session lines, not others' time.
    const allowed = this.traceBucket.take(lines.length);
    let kept = allowed < lines.length ? lines.slice(0, allowed) : lines;
    if (kept.length > limits.traceBatchLines) kept = kept.slice(-limits.traceBatchLines);
    this.droppedLines += lines.length - kept.length;
    if (!this.outbox || this.isSlow()) {
      this.droppedLines += kept.length;
      return;
    }
    if (kept.length) this.send({ type: 'trace', runId, lines: kept, dropped: this.droppedLines, kernelLost });
    if (kept.length) this.deps.rooms.trace(this, kept);
  }

  /** Over the high-water mark: drop; over it for too long: disconnect. */
  private isSlow(): boolean {
    const { limits } = this.deps.config;
    if (!this.outbox || this.outbox.bufferedAmount <= limits.wsHighWaterBytes) {
      this.slowSince = null;
      return false;
    }
    this.slowSince ??= Date.now();
    if (Date.now() - this.slowSince > limits.slowClientMs) {
      this.outbox.close(`The connection could not keep up for ${limits.slowClientMs / 1000} s and was closed.`);
      this.outbox = null;
    }
    return true;
  }

  private reply(id: RequestId, error?: PlaygroundError): void {
    this.send({ type: 'reply', id, ok: !error, error });
  }

  private send(message: ServerMessage): void {
    this.outbox?.send(this.encode(message));
  }

  /** For the rooms: a board, a push, a participant's view. */
  deliver(message: ServerMessage): void {
    this.send(message);
  }
}

/** A page compiles ahead at most this often (it asks when its user pauses typing). */
const PREPARES_PER_SECOND = 1;
const PREPARE_BURST = 3;
/** Room messages (progress, files, hands, pushes) a session may send. */
const ROOM_UPDATES_PER_SECOND = 5;
const ROOM_UPDATE_BURST = 20;

/** "10 minutes", "2 hours", "45 seconds": for messages about limits. */
export function describeDuration(ms: number): string {
  const [amount, unit] = ms >= 2 * 3_600_000 ? [ms / 3_600_000, 'hour'] : ms >= 120_000 ? [ms / 60_000, 'minute'] : [ms / 1000, 'second'];
  const rounded = Math.round(amount);
  return `${rounded} ${unit}${rounded === 1 ? '' : 's'}`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
