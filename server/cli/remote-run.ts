import WebSocket from 'ws';
import {
  PROTOCOL_VERSION,
  decodeServerMessage,
  encodeClientMessage,
  type ClientMessageInput,
  type Diagnostic,
  type Json,
  type MapSeed,
  type PlaygroundError,
  type ServerMessage,
  type SourceFile,
  type Stage,
  type Timings,
} from '../../protocol/messages.ts';

export interface RemoteRunOptions {
  server: string;
  files: SourceFile[];
  /** A bundled example to run instead of `files`, with its seeds. */
  example?: string;
  seeds: MapSeed[];
  seconds: number;
  trigger?: 'exec' | 'open';
}

/** What the CLI prints with --json. */
export interface RemoteRunReport {
  ok: boolean;
  stage: Stage;
  diagnostics: Diagnostic[];
  verifierLog: string | null;
  trace: string[];
  dropped: number;
  maps: Record<string, { key: Json; value: Json }[]>;
  events: Json[];
  timings: Timings;
  timingsText: string;
  error?: PlaygroundError;
}

/**
 * Runs one program on a playground server over its WebSocket protocol, as the
 * page does, and collects what happened. Resolves with a report; rejects only
 * when the server cannot be reached.
 */
export async function runRemote(options: RemoteRunOptions): Promise<RemoteRunReport> {
  const url = new URL('/ws', options.server.replace(/^http/, 'ws'));
  const ws = new WebSocket(url);
  const inbox: ServerMessage[] = [];
  const waiters: Array<() => void> = [];
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (error) => reject(new Error(`cannot reach the playground at ${options.server}: ${error.message}`)));
  });
  ws.on('message', (data) => {
    const decoded = decodeServerMessage(data.toString());
    if (!decoded.ok) return;
    inbox.push(decoded.message);
    for (const wake of waiters.splice(0)) wake();
  });
  let nextId = 1;
  const send = (message: ClientMessageInput) => ws.send(encodeClientMessage(message));
  const waitFor = async <T extends ServerMessage>(match: (m: ServerMessage) => m is T, ms: number): Promise<T | null> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = inbox.find(match);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  };

  try {
    const helloId = nextId++;
    send({ type: 'hello', id: helloId, version: PROTOCOL_VERSION, client: 'ebpf-playground-cli' });
    const welcome = await waitFor((m): m is Extract<ServerMessage, { type: 'welcome' | 'reply' }> => (m.type === 'welcome' || m.type === 'reply') && m.id === helloId, 10_000);
    if (!welcome) throw new Error('the server did not answer hello within 10 s.');
    if (welcome.type === 'reply') throw new Error(welcome.error?.message ?? 'the server refused hello.');

    let { files, seeds } = options;
    if (options.example) {
      const listId = nextId++;
      send({ type: 'get_examples', id: listId });
      const list = await waitFor((m): m is Extract<ServerMessage, { type: 'examples' }> => m.type === 'examples' && m.id === listId, 10_000);
      const example = list?.examples.find((e) => e.name === options.example);
      if (!example) throw new Error(`there is no example named "${options.example}" (have: ${list?.examples.map((e) => e.name).join(', ')}).`);
      files = example.files;
      seeds = [...example.seeds, ...seeds];
    }

    const runId = nextId++;
    send({ type: 'run', id: runId, files, seeds });
    const settled = await waitFor(
      (m): m is Extract<ServerMessage, { type: 'run_state' | 'reply' }> =>
        (m.type === 'reply' && m.id === runId && !m.ok) ||
        (m.type === 'run_state' && m.runId === runId && (m.state === 'running' || m.state === 'error')),
      60_000,
    );
    if (!settled) throw new Error('the run did not reach running or an error within 60 s.');
    if (settled.type === 'run_state' && settled.state === 'running') {
      const triggers = options.trigger ? setInterval(() => send({ type: 'trigger', id: nextId++, what: options.trigger! }), 200) : null;
      await new Promise((resolve) => setTimeout(resolve, options.seconds * 1000));
      if (triggers) clearInterval(triggers);
      const stopId = nextId++;
      send({ type: 'stop', id: stopId });
      await waitFor((m): m is Extract<ServerMessage, { type: 'reply' }> => m.type === 'reply' && m.id === stopId, 10_000);
    }
    return summarize(inbox, runId);
  } finally {
    ws.close();
  }
}

function summarize(inbox: ServerMessage[], runId: number): RemoteRunReport {
  const report: RemoteRunReport = {
    ok: false,
    stage: 'compile',
    diagnostics: [],
    verifierLog: null,
    trace: [],
    dropped: 0,
    maps: {},
    events: [],
    timings: {},
    timingsText: '',
  };
  let reachedRunning = false;
  for (const m of inbox) {
    if (m.type === 'reply' && m.id === runId && m.error) report.error = m.error;
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
        break;
      case 'loaded':
        report.verifierLog = m.verifierLog;
        break;
      case 'trace':
        report.trace.push(...m.lines.map((l) => l.text));
        report.dropped = m.dropped;
        break;
      case 'maps':
        report.maps = Object.fromEntries(m.maps.map((s) => [s.name, s.entries.map(({ key, value }) => ({ key, value }))]));
        break;
    }
  }
  report.ok = reachedRunning && !report.error;
  const t = report.timings;
  report.timingsText = [`compile ${t.compileMs ?? '-'} ms`, `load ${t.loadMs ?? '-'} ms`, `attach ${t.attachMs ?? '-'} ms`].join(', ');
  return report;
}
