import type {
  Diagnostic,
  MapMeta,
  MapSnapshot,
  PlaygroundError,
  ProgramMeta,
  RunState,
  Stage,
  Timings,
} from '../../protocol/messages.ts';
import type { RunMessage } from './playground-client.ts';

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
  diagnostics: Diagnostic[];
  skeleton: { ok: boolean; text: string } | null;
  loaded: { ok: boolean; verifierLog: string | null; libbpfLog: string } | null;
  programs: ProgramMeta[];
  maps: MapMeta[];
  snapshots: Record<string, MapSnapshot>;
  /** Date.now() of the last maps message. */
  snapshotAt: number | null;
  /** While queued: the place in line for the compiler (1 = next). */
  queuePosition: number | null;
  /** The kernel's accounting of the programs' runs, and the CPU share they used lately. */
  stats: Extract<RunMessage, { type: 'stats' }> | null;
}

export const initialRunView: RunView = {
  runId: null,
  phase: 'idle',
  stage: null,
  timings: {},
  error: null,
  notice: null,
  runningSince: null,
  endedAt: null,
  compiled: null,
  diagnostics: [],
  skeleton: null,
  loaded: null,
  programs: [],
  maps: [],
  snapshots: {},
  snapshotAt: null,
  queuePosition: null,
  stats: null,
};

export type RunAction =
  | { type: 'started'; runId: number; at: number }
  | { type: 'refused'; runId: number; error: PlaygroundError; at: number }
  | { type: 'message'; message: RunMessage; at: number }
  | { type: 'session_lost'; at: number }
  | { type: 'session_ended'; reason: string; at: number };

/** Phases in which the kernel may hold (or be about to hold) the run's program. */
export function isActive(phase: RunPhase): boolean {
  return phase === 'queued' || phase === 'compiling' || phase === 'loading' || phase === 'attaching' || phase === 'running';
}

export function runReducer(view: RunView, action: RunAction): RunView {
  switch (action.type) {
    case 'started':
      // A new run: everything of the previous one goes, except the maps' layout until the new one loads.
      return { ...initialRunView, runId: action.runId, phase: 'queued', stage: 'compile' };
    case 'refused':
      if (action.runId !== view.runId) return view;
      // The server turned the request down before any stage began.
      return { ...view, phase: 'error', stage: null, error: action.error, endedAt: action.at };
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
  }
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
        queuePosition: message.state === 'queued' ? (message.queuePosition ?? null) : null,
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
    case 'skeleton':
      return { ...view, skeleton: { ok: message.ok, text: message.text } };
    case 'loaded':
      return {
        ...view,
        loaded: { ok: message.ok, verifierLog: message.verifierLog, libbpfLog: message.libbpfLog },
        programs: message.programs,
        maps: message.maps,
        // Verifier-sourced diagnostics may come only with the load; keep clang's.
        diagnostics: view.diagnostics,
      };
    case 'attached':
      return { ...view, programs: message.programs };
    case 'maps': {
      const snapshots: Record<string, MapSnapshot> = {};
      for (const snapshot of message.maps) snapshots[snapshot.name] = snapshot;
      return { ...view, snapshots, snapshotAt: at };
    }
    case 'stats':
      return { ...view, stats: message };
    case 'inspect':
    case 'loaded_code':
      return view;
    case 'inspect':
    case 'loaded_code':
    case 'events':
      return view;
    case 'trace':
      // Trace lines live in the TraceBuffer, outside React state.
      return view;
  }
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
