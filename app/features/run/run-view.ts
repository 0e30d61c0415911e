import type {
  Diagnostic,
  ElfSection,
  MapMeta,
  MapSnapshot,
  ObjectChange,
  PlaygroundError,
  ProgramMeta,
  RunState,
  SourceBlock,
  Stage,
  Timings,
  VerifierExplanation,
} from '../../../protocol/messages.ts';
import { applyMapDelta } from '../../../protocol/messages.ts';
import type { RunMessage } from '../connection/playground-client.ts';

export type RunPhase = 'idle' | RunState;

/** Everything the page shows about the current run, built from the server's run messages. */
export interface RunView {
  runId: number | null;
  phase: RunPhase;
  stage: Stage | null;
  timings: Timings;
  error: PlaygroundError | null;
  /** Why a run ended without an error (the connection dropped, the user stopped it). */
  notice: string | null;
  /** Date.now() when the program started running, for the uptime. */
  runningSince: number | null;
  /** Date.now() when the run stopped, so the uptime freezes. */
  endedAt: number | null;
  compiled: { ok: boolean; log: string; objectSize?: number } | null;
  /** The rules the built object broke, when the playground's policy refused it before load. */
  refusal: { rule: string; message: string }[] | null;
  /** What the playground changed in the object before load, as its own loader would (a map shrunk, a program left out). */
  changes: ObjectChange[];
  /** clang's (from the Run's compile, or a newer compile ahead of the editor's files) and the verifier's, on their C lines. */
  diagnostics: Diagnostic[];
  /** The Run failed to compile, and a compile ahead since found the editor's files without errors. */
  compilesNow: boolean;
  skeleton: { ok: boolean; text: string } | null;
  loaded: LoadedView | null;
  /** What was built: ELF sections, disassembly with source (and which C line each row came from), BTF (arrives beside the load). */
  inspect: { sections: ElfSection[]; disassembly: string; disassemblyLines: SourceBlock[]; btf: string } | null;
  /** After load: the verifier's translated program (with its rows' C lines) and the JITed code, per program. */
  loadedCode: { name: string; xlated: string; xlatedLines: SourceBlock[]; jited: string | null }[] | null;
  programs: ProgramMeta[];
  maps: MapMeta[];
  snapshots: Record<string, MapSnapshot>;
  /** Date.now() of the last maps message. */
  snapshotAt: number | null;
  /** While queued: the place in line for the compiler (1 = next); while booting: for a VM. */
  queuePosition: number | null;
  /** Date.now() at which the session's VM started booting, while the Run waits for it. */
  bootingSince: number | null;
  /** The kernel's accounting of the programs' runs, and the CPU share they used lately. */
  stats: Extract<RunMessage, { type: 'stats' }> | null;
  /** Runs per second of each program, between the last two stats messages. */
  runRates: Record<string, number>;
  /** Date.now() of the last stats message, for the next rate. */
  statsAt: number | null;
}

export interface LoadedView {
  ok: boolean;
  verifierLog: string | null;
  libbpfLog: string;
  /** Struct types in the object's BTF, for decoding event records. */
  structs: { name: string; size: number }[];
  /** On a rejection: what the verifier meant, and the C line it stopped on. */
  explanation: VerifierExplanation | null;
  /** The verifier's log did not fit even the largest buffer the server tried. */
  logTruncated: boolean;
  /** A program calls bpf_printk, so Output gets lines; assumed when the server did not say (a failed load). */
  printsTrace: boolean;
}

export const initialRunView: RunView = {
  runId: null,
  phase: 'idle',
  stage: null,
  timings: {},
  error: null,
  notice: null,
  runningSince: null,
  refusal: null,
  changes: [],
  endedAt: null,
  compiled: null,
  diagnostics: [],
  compilesNow: false,
  skeleton: null,
  loaded: null,
  programs: [],
  maps: [],
  snapshots: {},
  snapshotAt: null,
  queuePosition: null,
  bootingSince: null,
  stats: null,
  runRates: {},
  statsAt: null,
  inspect: null,
  loadedCode: null,
};

export type RunAction =
  | { type: 'started'; runId: number; at: number }
  | { type: 'message'; message: RunMessage; at: number }
  /** clang's diagnostics of the files in the editor, compiled ahead while the user paused typing. */
  | { type: 'prepared'; diagnostics: Diagnostic[] }
  | { type: 'session_lost'; at: number }
  | { type: 'session_ended'; reason: string; at: number };

/** Phases in which the kernel may hold (or be about to hold) the run's program. */
export function isActive(phase: RunPhase): boolean {
  return phase === 'queued' || phase === 'compiling' || phase === 'booting' || phase === 'loading' || phase === 'attaching' || phase === 'running';
}

export function runReducer(view: RunView, action: RunAction): RunView {
  switch (action.type) {
    case 'started':
      // The server took a new Run: everything of the previous one goes.
      return { ...initialRunView, runId: action.runId, phase: 'queued', stage: 'compile' };
    case 'session_lost':
      if (!isActive(view.phase)) return view;
      return {
        ...view,
        phase: 'stopped',
        endedAt: action.at,
        notice: 'The connection was down too long and the server stopped the program: press Run to start it again.',
      };
    case 'session_ended':
      return {
        ...view,
        phase: isActive(view.phase) ? 'stopped' : view.phase,
        endedAt: isActive(view.phase) ? action.at : view.endedAt,
        notice: action.reason,
      };
    case 'message':
      return applyMessage(view, action.message, action.at);
    case 'prepared':
      return withCompileAhead(view, action.diagnostics);
  }
}

/**
 * The newest compile wins, the Run's or the one ahead: clang's diagnostics
 * of the editor's files replace clang's shown now, and the verifier's line
 * stays the Run's until the next Run. The same diagnostics again change
 * nothing, so markers and Problems are left as they are.
 */
function withCompileAhead(view: RunView, diagnostics: Diagnostic[]): RunView {
  const compilesNow = view.stage === 'compile' && !!view.error && !diagnostics.some((d) => d.severity === 'error');
  const clang = view.diagnostics.filter((d) => d.source === 'clang');
  if (JSON.stringify(clang) === JSON.stringify(diagnostics)) return compilesNow === view.compilesNow ? view : { ...view, compilesNow };
  return { ...view, compilesNow, diagnostics: [...diagnostics, ...view.diagnostics.filter((d) => d.source !== 'clang')] };
}

function applyMessage(view: RunView, message: RunMessage, at: number): RunView {
  // Messages of an older run (its "stopped", a late map snapshot) are not this run's news.
  if (message.runId !== view.runId) return view;
  switch (message.type) {
    case 'run_state': {
      const ended = message.state === 'stopped' || message.state === 'error';
      return {
        ...view,
        phase: message.state,
        stage: message.stage,
        timings: message.timings,
        error: message.error ?? (message.state === 'error' ? view.error : null),
        queuePosition: message.state === 'queued' || message.state === 'booting' ? (message.queuePosition ?? null) : null,
        bootingSince:
          message.state === 'booting' && message.timings.bootingForMs !== undefined
            ? (view.bootingSince ?? at - message.timings.bootingForMs)
            : message.state === 'booting'
              ? view.bootingSince
              : null,
        runningSince: message.state === 'running' ? (view.runningSince ?? at) : view.runningSince,
        endedAt: ended ? (view.endedAt ?? at) : null,
      };
    }
    case 'compiled':
      return {
        ...view,
        compiled: { ok: message.ok, log: message.log, objectSize: message.objectSize },
        diagnostics: message.diagnostics,
      };
    case 'refused':
      return { ...view, refusal: message.violations };
    case 'adjusted':
      return { ...view, changes: message.changes };
    case 'skeleton':
      return { ...view, skeleton: { ok: message.ok, text: message.text } };
    case 'loaded':
      return {
        ...view,
        loaded: {
          ok: message.ok,
          verifierLog: message.verifierLog,
          libbpfLog: message.libbpfLog,
          structs: message.structs ?? [],
          explanation: message.explanation ?? null,
          logTruncated: message.logTruncated ?? false,
          printsTrace: message.printsTrace ?? true,
        },
        programs: message.programs,
        maps: message.maps,
        // clang's warnings stay; the verifier's rejection, mapped to the source, joins them.
        diagnostics: [...view.diagnostics.filter((d) => d.source !== 'verifier'), ...(message.diagnostics ?? [])],
      };
    case 'attached':
      return { ...view, programs: message.programs };
    case 'maps': {
      // Frames may carry only the entries that changed: fold them into what the view holds.
      const snapshots: Record<string, MapSnapshot> = { ...view.snapshots };
      for (const frame of message.maps) {
        snapshots[frame.name] = { ...frame, full: true, removed: undefined, entries: applyMapDelta(view.snapshots[frame.name]?.entries, frame) };
      }
      return { ...view, snapshots, snapshotAt: at };
    }
    case 'stats':
      return { ...view, stats: message, runRates: runRates(view.stats, view.statsAt, message, at), statsAt: at };
    case 'inspect':
      return {
        ...view,
        inspect: { sections: message.sections, disassembly: message.disassembly, disassemblyLines: message.disassemblyLines ?? [], btf: message.btf },
      };
    case 'loaded_code':
      return { ...view, loadedCode: message.programs.map((p) => ({ ...p, xlatedLines: p.xlatedLines ?? [] })) };
    case 'events':
      // Event records live in the EventStore, outside React state.
      return view;
    case 'trace':
      // Trace lines live in the TraceBuffer, outside React state.
      return view;
  }
}

/** Runs per second of each program between two cumulative stats samples; a program without an earlier sample has none yet. */
export function runRates(
  previous: Pick<Extract<RunMessage, { type: 'stats' }>, 'programs'> | null,
  previousAt: number | null,
  current: Pick<Extract<RunMessage, { type: 'stats' }>, 'programs'>,
  at: number,
): Record<string, number> {
  const rates: Record<string, number> = {};
  if (!previous || previousAt === null || at <= previousAt) return rates;
  const seconds = (at - previousAt) / 1000;
  for (const program of current.programs) {
    const before = previous.programs.find((p) => p.name === program.name);
    // A counter that went down was reset (a new attach): no rate from across that.
    if (before && program.runCount >= before.runCount) rates[program.name] = (program.runCount - before.runCount) / seconds;
  }
  return rates;
}

const STAGE_NAMES: Record<Stage, string> = { compile: 'Compile', load: 'Load', attach: 'Attach', run: 'Run' };

/** "Load failed: the kernel refused …", one sentence naming the stage. */
export function describeFailure(view: Pick<RunView, 'stage' | 'error'>): string | null {
  if (!view.error) return null;
  const message = view.error.message.replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase());
  if (!view.stage) return `The run could not start: ${message}`;
  return `${STAGE_NAMES[view.stage]} failed: ${message}`;
}

/** Which tab has the detail of a failure: the problems for compile errors, the log otherwise. */
export function failureDetail(view: Pick<RunView, 'stage' | 'error' | 'diagnostics'>): 'problems' | 'log' | null {
  if (!view.error) return null;
  if (view.stage === 'compile' && view.diagnostics.length) return 'problems';
  return 'log';
}
