import { randomBytes, randomUUID } from 'node:crypto';
import type { ClientMessage, Diagnostic, HostInfo, Json, MapSeed, Reply, ServerMessage, SourceFile, TraceLine } from '../../protocol/messages.ts';
import { accept, refuse } from '../../protocol/replies.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import type { CompileQueue } from '../compile/compile-queue.ts';
import { checkSources, compile, ensureMinimalBtf } from '../compile/compiler.ts';
import { CompileCache } from '../compile/compile-cache.ts';
import type { Config } from '../config.ts';
import type { ShareStore } from '../share/store.ts';
import type { RoomHub, RoomMember } from '../rooms/room-hub.ts';
import type { Kernels } from '../sandbox/kernels.ts';
import type { Kernel, KernelSide, Loader, LoaderWait } from '../sandbox/sandbox.ts';
import { compileContext, Run, type RunOptions } from '../run/run.ts';
import { describeDuration } from '../text.ts';
import type { Handler, HandlerResult, SessionContext } from './context.ts';
import { handlers } from './handlers.ts';
import { type Spent, TokenBucket } from './rate-limit.ts';

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

/**
 * One browser tab (or CLI run): its current Run, its loader process, and its
 * share of the trace stream. It outlives a dropped connection for a grace
 * period, so a reconnect picks up the running program. Trace lines past the
 * session's rate, or piling up behind a slow client, are dropped and counted,
 * never buffered without bound.
 */
export class Session implements RoomMember, SessionContext {
  readonly id = randomUUID();
  /** Proves a reconnecting client is this session's: the id alone is not enough. */
  readonly resumeToken = randomBytes(18).toString('base64url');
  readonly expiresAt: number;
  /** Known only to this session's compiles and the trace router: other sessions cannot forge its lines. */
  private readonly traceSecret = randomBytes(9).toString('base64url');
  private outbox: Outbox | null = null;
  private currentRun: Run | null = null;
  /** This session's hold on the kernel its last Run chose: a runner on the host, or its own VM. */
  private currentSide: KernelSide | null = null;
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
  /** The newest files the page asked to have compiled; a queued prepare compiles these when it starts. */
  private prepareFiles: SourceFile[] | null = null;
  private prepareQueued: Promise<PrepareTurn> | null = null;
  private readonly prepareBucket: TokenBucket;
  private readonly roomBucket: TokenBucket;

  constructor(
    readonly deps: SessionDeps,
    private readonly encode: (message: ServerMessage) => string,
    /** Called once when the session ends, so the registry forgets it. */
    private readonly onClose: (session: Session) => void,
  ) {
    const { limits } = deps.config;
    this.expiresAt = Date.now() + limits.sessionLifetimeMs;
    this.traceBucket = new TokenBucket(limits.traceLinesPerSecond, limits.traceBurstLines);
    this.runBucket = new TokenBucket((limits.runsPerWindow * 1000) / limits.runWindowMs, limits.runsPerWindow);
    this.prepareBucket = new TokenBucket(limits.preparesPerSecond, limits.prepareBurst);
    this.roomBucket = new TokenBucket(limits.roomUpdatesPerSecond, limits.roomUpdateBurst);
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
    for (const message of this.currentRun?.history ?? []) this.send(message);
  }

  get member(): RoomMember {
    return this;
  }

  get run(): Run | null {
    return this.currentRun;
  }

  get side(): KernelSide | null {
    return this.currentSide;
  }

  spendRunBudget(): Spent {
    return this.runBucket.spend();
  }

  spendRoomBudget(): Spent {
    return this.roomBucket.spend();
  }

  watchRun(onTrace: (lines: TraceLine[]) => void, onRecords: (values: (Json | null)[]) => void): () => void {
    this.traceWatchers.add(onTrace);
    this.recordWatchers.add(onRecords);
    return () => {
      this.traceWatchers.delete(onTrace);
      this.recordWatchers.delete(onRecords);
    };
  }

  /** Answers one request through its feature's handler; the reply goes out as soon as it is made. */
  handle(message: Exclude<ClientMessage, { type: 'hello' }>): void {
    this.touch();
    const handler = handlers[message.type] as Handler<typeof message.type>;
    const result = handler(this, message as never);
    if (result instanceof Promise) void result.then((answer) => this.answer(answer));
    else this.answer(result);
  }

  private answer(result: HandlerResult): void {
    if ('reply' in result) {
      this.send(result.reply);
      result.after();
    } else this.send(result);
  }

  /** The user's Stop: resolves once the maps' last values and the stopped state went out; false when nothing ran. */
  async stopRun(): Promise<boolean> {
    const run = this.currentRun;
    if (!run) return false;
    // The run stays the session's until its last messages are out; a Run pressed meanwhile replaces it.
    await run.stop({ lastMaps: true });
    if (this.currentRun === run) this.currentRun = null;
    return true;
  }

  /** Ends the session: nothing of its run stays in the kernel. Safe to call twice. */
  close(reason?: string): void {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer) clearTimeout(this.idleTimer);
    void this.currentRun?.stop();
    this.currentRun = null;
    this.currentSide?.close();
    this.currentSide = null;
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
      this.currentSide?.close();
      this.currentSide = null;
      this.loader = null;
      if (!this.currentRun) return;
      void this.currentRun.stop();
      this.currentRun = null;
      this.send({
        type: 'session_end',
        reason: `Your program was stopped after ${describeDuration(this.deps.config.limits.idleMs)} without activity. Press Run to start it again.`,
      });
    }, this.deps.config.limits.idleMs);
    this.idleTimer.unref();
  }

  startRun(id: string | number, files: SourceFile[], seeds: MapSeed[], kernelName: string | undefined, options: RunOptions = {}): HandlerResult {
    const { config, toolchain, host, kernels } = this.deps;
    if (!toolchain || !kernels.default || host.problems.length) {
      return refuse(id, { code: 'host_unsupported', message: host.problems[0] ?? 'This host cannot load BPF programs.' });
    }
    const kernel = kernels.byName(kernelName);
    if (!kernel) return refuse(id, { code: 'bad_request', message: `There is no kernel named "${kernelName}" here: choose one of ${kernels.names()}.` });
    const budget = this.spendRunBudget();
    if (!budget.ok) {
      return refuse(id, {
        code: 'rate_limited',
        message: `Too many runs: at most ${config.limits.runsPerWindow} every ${config.limits.runWindowMs / 1000} s. Wait a moment and press Run again.`,
        retryAfterMs: budget.retryAfterMs,
      });
    }
    const problem = checkSources(files, config.limits.sourceBytes);
    if (problem) return refuse(id, { code: 'bad_request', message: problem });
    // One run per session: a new Run replaces the old one.
    void this.currentRun?.stop();
    this.droppedLines = 0;
    const side = this.sideFor(kernel);
    const run = new Run(id, files, seeds, options, {
      config,
      kernel,
      side,
      compileQueue: this.deps.compileQueue,
      compileCache: this.deps.compileCache,
      skeletonQueue: this.deps.skeletonQueue,
      takeLoader: (onWait) => this.takeLoader(side, onWait),
      traceSecret: this.traceSecret,
      send: (message) => {
        if (this.currentRun !== run) return;
        this.send(message);
        if (message.type === 'run_state' || message.type === 'compiled' || message.type === 'loaded') this.deps.rooms.runMessage(this, message);
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
        if (this.currentRun !== run || !this.outbox || this.isSlow()) return false;
        this.send(message);
        return true;
      },
    });
    this.currentRun = run;
    // The run's own messages follow its reply.
    return { reply: accept(id, 'run', {}), after: () => void run.start() };
  }

  /**
   * Compiles the files into the cache, so that Run finds them built, and
   * answers with clang's diagnostics, which the page shows while its user
   * types. Only the newest files matter: a prepare waiting for its turn
   * compiles whatever the page sent last, and the prepares of older files
   * answer `superseded`. Nothing here is a Run: no rate budget is spent, and
   * it yields to every Run waiting for a core.
   */
  async prepare(id: string | number, files: SourceFile[], kernelName: string | undefined): Promise<Reply> {
    const { config, compileCache, prepareQueue } = this.deps;
    const kernel = this.deps.kernels.byName(kernelName);
    if (!kernel)
      return refuse(id, { code: 'bad_request', message: `There is no kernel named "${kernelName}" here: choose one of ${this.deps.kernels.names()}.` });
    const { toolchain } = kernel;
    const problem = checkSources(files, config.limits.sourceBytes);
    if (problem) return refuse(id, { code: 'bad_request', message: problem });
    this.prepareFiles = files;
    // One compile ahead at a time: wait for it, then see whether it (or a newer prepare) took these files.
    while (this.prepareQueued) {
      const turn = await this.prepareQueued;
      if (turn.files === files) return answer(id, turn);
    }
    if (this.prepareFiles !== files) return superseded(id);
    const budget = this.prepareBucket.spend();
    if (!budget.ok)
      return refuse(id, {
        code: 'rate_limited',
        message: 'Not compiled ahead: the page asked too often; Run will compile it.',
        retryAfterMs: budget.retryAfterMs,
      });
    let taken: SourceFile[] | null = null;
    const job = prepareQueue
      .run(async (): Promise<PrepareTurn> => {
        const latest = this.prepareFiles;
        taken = latest;
        this.prepareFiles = null;
        if (!latest || this.closed) return { ok: false, files: latest, message: 'the session ended' };
        const context = compileContext(kernel, this.traceSecret);
        const key = CompileCache.key(toolchain, latest, context, config.compileJail);
        const running = compileCache.inFlight(key);
        if (running) await running.catch(() => {});
        const entry = compileCache.get(key) ?? (await compileCache.compileInto(key, () => compile(config, toolchain, latest, context)));
        // Its first Run then loads against the minimal BTF too (made in the skeletons' line).
        ensureMinimalBtf(entry, latest, { config, toolchain, queue: this.deps.skeletonQueue });
        await entry.minimalBtf;
        return { ok: true, files: latest, diagnostics: entry.result.diagnostics };
      })
      // A compile ahead that could not run is said, and no one's problem: Run compiles and reports.
      .catch((error: unknown): PrepareTurn => ({ ok: false, files: taken ?? files, message: error instanceof Error ? error.message : String(error) }));
    this.prepareQueued = job;
    const turn = await job;
    if (this.prepareQueued === job) this.prepareQueued = null;
    return turn.files === files ? answer(id, turn) : superseded(id);
  }

  /** The session's side of `kernel`: kept across Runs on the same kernel, replaced when a Run picks another. */
  private sideFor(kernel: Kernel): KernelSide {
    if (this.currentSide?.kernel === kernel) return this.currentSide;
    this.currentSide?.close();
    this.loader = null;
    this.currentSide = kernel.open();
    return this.currentSide;
  }

  private async takeLoader(side: KernelSide, onWait: (wait: LoaderWait) => void): Promise<Loader> {
    const loader = await side.loader(onWait);
    if (this.currentSide !== side || this.closed) {
      // The session moved on (closed, or another kernel) while the loader was being readied.
      side.close();
      throw new Error('the session ended while its kernel was being readied');
    }
    loader.onEvents = (events) => this.currentRun?.onEvents(events);
    loader.onExit = (reason) => {
      // A loader this session let go of ends as planned; only the current one's death is news.
      if (this.loader !== loader) return;
      this.loader = null;
      this.currentRun?.runnerDied(reason);
    };
    this.loader = loader;
    return loader;
  }

  private forwardTrace(runId: string | number, lines: TraceLine[], kernelLost: number): void {
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

  private send(message: ServerMessage): void {
    this.outbox?.send(this.encode(message));
  }

  /** For the rooms: a board, a push, a participant's view. */
  deliver(message: ServerMessage): void {
    this.send(message);
  }
}

/** One turn of the compile ahead: the files it took (the newest when it started) and what clang said of them. */
type PrepareTurn = { ok: true; files: SourceFile[]; diagnostics: Diagnostic[] } | { ok: false; files: SourceFile[] | null; message: string };

/** The answer to the prepare whose files this turn took. */
function answer(id: string | number, turn: PrepareTurn): Reply {
  if (!turn.ok) return refuse(id, { code: 'internal', message: `Not compiled ahead (${turn.message}); Run will compile it.` });
  return accept(id, 'prepare', { outcome: 'compiled', diagnostics: turn.diagnostics });
}

const superseded = (id: string | number): Reply => accept(id, 'prepare', { outcome: 'superseded', diagnostics: [] });
