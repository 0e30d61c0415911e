import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  PROTOCOL_VERSION,
  type ClientMessage,
  type HostInfo,
  type MapSeed,
  type SourceFile,
  type PlaygroundError,
  type ServerMessage,
  type TraceLine,
} from '../../protocol/messages.ts';
import type { Toolchain } from '../compile/toolchain.ts';
import { checkSources } from '../compile/compiler.ts';
import type { Config } from '../config.ts';
import { loadExamples } from '../examples.ts';
import type { TraceInstance } from '../trace/trace-instance.ts';
import { Run } from './run.ts';
import type { Runner, RunnerPool } from '../runner/runner.ts';

export interface SessionDeps {
  config: Config;
  toolchain: Toolchain | null;
  host: HostInfo;
  trace: TraceInstance | null;
  runners: RunnerPool;
}

/** How a session reaches its client: the WebSocket, seen only through these two calls. */
export interface Outbox {
  send(text: string): void;
  /** Bytes queued and not yet sent to the client. */
  readonly bufferedAmount: number;
}

type RequestId = string | number;

/**
 * One browser tab (or CLI run): its current Run, and its share of the trace
 * stream. Trace lines that would pile up behind a slow client are dropped
 * and counted, never buffered without bound.
 */
export class Session {
  readonly id = randomUUID();
  /** Known only to this session's compiles and the trace router: other sessions cannot forge its lines. */
  private readonly traceSecret = randomBytes(9).toString('base64url');
  private run: Run | null = null;
  /** This session's own loader process, started at its first Run. */
  private runner: Runner | null = null;
  private droppedLines = 0;

  constructor(
    private readonly deps: SessionDeps,
    private readonly outbox: Outbox,
    private readonly encode: (message: ServerMessage) => string,
  ) {}

  handle(message: ClientMessage): void {
    switch (message.type) {
      case 'hello':
        if (message.version !== PROTOCOL_VERSION) {
          return this.reply(message.id, { code: 'protocol_version', message: `This server speaks protocol ${PROTOCOL_VERSION}, the client ${message.version}: reload the page or update the CLI.` });
        }
        return this.send({ type: 'welcome', id: message.id, version: PROTOCOL_VERSION, sessionId: this.id, host: this.deps.host });
      case 'get_examples':
        return this.send({ type: 'examples', id: message.id, examples: loadExamples() });
      case 'run':
        return this.startRun(message.id, message.files, message.seeds);
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
        trigger(message.what);
        return this.reply(message.id);
    }
  }

  /** Called when the client goes away: nothing of its run stays in the kernel. */
  close(): void {
    this.run?.stop();
    this.run = null;
    this.runner?.kill();
    this.runner = null;
  }

  private startRun(id: RequestId, files: SourceFile[], seeds: MapSeed[]): void {
    const { config, toolchain, trace, host } = this.deps;
    if (!toolchain || !trace || host.problems.length) {
      return this.reply(id, { code: 'host_unsupported', message: host.problems[0] ?? 'This host cannot load BPF programs.' });
    }
    const problem = checkSources(files, config.limits.sourceBytes);
    if (problem) return this.reply(id, { code: 'bad_request', message: problem });
    // One run per session: a new Run replaces the old one.
    this.run?.stop();
    this.droppedLines = 0;
    const runner = this.liveRunner();
    const run = new Run(id, files, seeds, {
      config,
      toolchain,
      trace,
      runner,
      traceSecret: this.traceSecret,
      send: (message) => {
        if (this.run === run) this.send(message);
      },
      onTrace: (runId, lines) => this.forwardTrace(runId, lines),
    });
    this.run = run;
    this.reply(id);
    void run.start();
  }

  private liveRunner(): Runner {
    if (this.runner?.alive) return this.runner;
    const runner = this.deps.runners.take();
    runner.onExit = (reason) => {
      if (this.runner === runner) this.runner = null;
      this.run?.runnerDied(reason);
    };
    this.runner = runner;
    return runner;
  }

  private forwardTrace(runId: RequestId, lines: TraceLine[]): void {
    if (this.outbox.bufferedAmount > this.deps.config.limits.wsHighWaterBytes) {
      this.droppedLines += lines.length;
      return;
    }
    const cap = this.deps.config.limits.traceBatchLines;
    const kept = lines.length > cap ? lines.slice(-cap) : lines;
    this.droppedLines += lines.length - kept.length;
    this.send({ type: 'trace', runId, lines: kept, dropped: this.droppedLines });
  }

  private reply(id: RequestId, error?: PlaygroundError): void {
    this.send({ type: 'reply', id, ok: !error, error });
  }

  private send(message: ServerMessage): void {
    this.outbox.send(this.encode(message));
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Makes the events the examples wait for, for users who have no terminal on the host. */
function trigger(what: 'exec' | 'open'): void {
  if (what === 'exec') {
    spawn('/bin/true', [], { stdio: 'ignore' }).on('error', () => {});
    return;
  }
  closeSync(openSync('/etc/hostname', 'r'));
}
