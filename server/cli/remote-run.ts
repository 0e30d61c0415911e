import { applyMapDelta } from '../../protocol/messages.ts';
import type {
  AttachSettings,
  Diagnostic,
  Json,
  MapSeed,
  ObjectChange,
  PlaygroundError,
  ProgramMeta,
  ServerMessage,
  SourceFile,
  Stage,
  Timings,
  VerifierExplanation,
} from '../../protocol/messages.ts';
import { PlaygroundConnection, isRunning } from './connection.ts';
import { controlFlow, type ControlFlow } from '../../protocol/verifier-flow.ts';
import { parseVerifierWalk, type VerifierWalk } from '../../protocol/verifier-steps.ts';

export interface RemoteRunOptions {
  server: string;
  files: SourceFile[];
  /** A bundled example to run instead of `files`, with its seeds. */
  example?: string;
  seeds: MapSeed[];
  /** How long the program runs: `until` may end it sooner. */
  seconds: number;
  /** Stops the program as soon as the report so far satisfies this: checked on each map and trace frame (trace lines come in ~10 ms batches). */
  until?: (report: RemoteRunReport) => boolean;
  trigger?: 'exec' | 'open';
  /** A kernel's name (`ebpf-playground kernels` lists them); the server's default when left out. */
  kernel?: string;
  /** How perf_event, uprobe and usdt programs attach. */
  attach?: AttachSettings;
  /** Load with the verifier's every step logged, and report them (`verifierSteps`). */
  verifierSteps?: boolean;
}

/** What the CLI prints with --json. */
export interface RemoteRunReport {
  ok: boolean;
  /** The last stage reached. */
  stage: Stage;
  diagnostics: Diagnostic[];
  /** clang's output, as the user's file names spell it. */
  compileLog: string;
  verifierLog: string | null;
  /** The verifier's rejection in plain words, with the C line it stopped on. */
  explanation: VerifierExplanation | null;
  /** With `verifierSteps`: the verifier's walk, step by step (instruction, C line, registers and stack), from its log. */
  verifierSteps?: VerifierWalk;
  /** With `verifierSteps`: its basic blocks, edges and the path to a rejection. */
  verifierFlow?: ControlFlow;
  trace: string[];
  dropped: number;
  /** Per-CPU maps keep one value per CPU (`perCpu`) beside their total (`value`), as the page shows them. */
  maps: Record<string, { key: Json; value: Json; perCpu?: Json[] }[]>;
  events: Json[];
  timings: Timings;
  /** The rules the object broke, when the playground's policy refused it before the kernel saw it. */
  refused?: { rule: string; message: string }[];
  /** What the playground changed in the object before load (a map shrunk, a program left out), one sentence each. */
  changes: ObjectChange[];
  /** Each program: attached, or why not (`attachError`), or left out of load (`notLoaded`). */
  programs: ProgramMeta[];
  error?: PlaygroundError;
}

/**
 * Runs one program on a playground server over its WebSocket protocol, as the
 * page does, and collects what happened. Resolves with a report; rejects only
 * when the server cannot be reached or stops answering.
 */
export async function runRemote(options: RemoteRunOptions): Promise<RemoteRunReport> {
  const connection = await PlaygroundConnection.open(options.server);
  try {
    let { files, seeds } = options;
    if (options.example) {
      const list = await connection.request({ type: 'get_examples' });
      if (!list.ok) throw new Error(list.error.message);
      const example = list.examples.find((e) => e.name === options.example);
      if (!example) throw new Error(`there is no example named "${options.example}" (have: ${list.examples.map((e) => e.name).join(', ')}).`);
      files = example.files;
      seeds = [...example.seeds, ...seeds];
    }

    // A Run on a VM kernel may wait for its VM to boot: tens of seconds under software emulation.
    const waitMs = 180_000;
    const { runId, outcome } = await connection.startRun(files, seeds, waitMs, options.kernel, {
      attach: options.attach,
      verifierLevel: options.verifierSteps ? 2 : undefined,
    });
    if (!outcome) throw new Error(`the run reached neither running nor an error within ${waitMs / 1000} s.`);
    if (isRunning(outcome)) {
      const triggers = options.trigger ? setInterval(() => connection.send({ type: 'trigger', what: options.trigger! }), 200) : null;
      const { until } = options;
      if (until)
        await connection.waitFor((m) => (m.type === 'maps' || m.type === 'trace') && until(summarize(connection.inbox, runId)), options.seconds * 1000);
      else await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
      if (triggers) clearInterval(triggers);
      await connection.request({ type: 'stop' });
    }
    const report = summarize(connection.inbox, runId);
    if (options.verifierSteps && report.verifierLog) {
      report.verifierSteps = parseVerifierWalk(report.verifierLog);
      report.verifierFlow = controlFlow(report.verifierSteps);
    }
    return report;
  } finally {
    connection.close();
  }
}

/** Folds one run's messages into the report. */
export function summarize(inbox: ServerMessage[], runId: number): RemoteRunReport {
  const report: RemoteRunReport = {
    ok: false,
    stage: 'compile',
    diagnostics: [],
    compileLog: '',
    verifierLog: null,
    explanation: null,
    trace: [],
    dropped: 0,
    maps: {},
    events: [],
    timings: {},
    changes: [],
    programs: [],
  };
  let reachedRunning = false;
  for (const m of inbox) {
    if (m.type === 'reply' && m.id === runId && !m.ok) report.error = m.error;
    if (!('runId' in m) || m.runId !== runId) continue;
    switch (m.type) {
      case 'run_state':
        if (m.state !== 'stopped') report.stage = m.stage;
        report.timings = m.timings;
        if (m.state === 'running') reachedRunning = true;
        if (m.error) report.error = m.error;
        break;
      case 'compiled':
        report.diagnostics = m.diagnostics;
        report.compileLog = m.log;
        break;
      case 'refused':
        report.refused = m.violations;
        break;
      case 'adjusted':
        report.changes = m.changes;
        break;
      case 'attached':
        report.programs = m.programs;
        break;
      case 'loaded':
        report.programs = m.programs;
        report.verifierLog = m.verifierLog;
        report.explanation = m.explanation ?? null;
        if (m.diagnostics?.length) report.diagnostics = [...report.diagnostics, ...m.diagnostics];
        break;
      case 'trace':
        report.trace.push(...m.lines.map((l) => l.text));
        report.dropped = m.dropped;
        break;
      case 'events':
        report.events.push(...m.records.map((r) => r.value ?? r.hex));
        break;
      case 'maps':
        for (const frame of m.maps) {
          report.maps[frame.name] = applyMapDelta(report.maps[frame.name], frame).map(({ key, value, perCpu }) => ({
            key,
            value,
            ...(perCpu ? { perCpu } : {}),
          }));
        }
        break;
    }
  }
  report.ok = reachedRunning && !report.error;
  return report;
}
