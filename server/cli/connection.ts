import WebSocket from 'ws';
import { RequestChannel, type Outcome, type RequestBody } from '../../protocol/client.ts';
import {
  PROTOCOL_VERSION,
  type AttachSettings,
  type HostInfo,
  type MapSeed,
  type Refusal,
  type ResultOf,
  type ServerMessage,
  type SourceFile,
} from '../../protocol/messages.ts';

/** How a Run settles: `run_state` running or error, or the `reply` refusing it (rate limit, bad files). */
export type RunOutcome = Extract<ServerMessage, { type: 'run_state' }> | Refusal;

/** The message that settles run `runId`, as {@link PlaygroundConnection.startRun} waits for it. */
export function settlesRun(m: ServerMessage, runId: number): m is RunOutcome {
  return (m.type === 'reply' && m.id === runId && !m.ok) || (m.type === 'run_state' && m.runId === runId && (m.state === 'running' || m.state === 'error'));
}

/** True when the outcome is a running program. */
export const isRunning = (outcome: RunOutcome | null): boolean => outcome?.type === 'run_state' && outcome.state === 'running';
/** A client request without its id: the connection numbers requests itself. */
export type Request = RequestBody;

/**
 * A Node client of the playground's WebSocket protocol, for the CLI, tests
 * and benchmarks. It keeps every server message in `inbox` and lets callers
 * wait for the one they need.
 */
export class PlaygroundConnection {
  readonly inbox: ServerMessage[] = [];
  host!: HostInfo;
  /** What hello was answered with: the session, its resume token, whether it was picked up. */
  welcome!: ResultOf<'hello'>;
  private waiters: Array<() => void> = [];
  private readonly channel: RequestChannel;

  private constructor(private readonly ws: WebSocket) {
    this.channel = new RequestChannel((text) => ws.send(text));
    ws.on('message', (data) => {
      const received = this.channel.receive(data.toString());
      if (!received.ok) return;
      this.inbox.push(received.message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    ws.on('close', () => {
      this.channel.failAll();
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  /** Connects and says hello; rejects with a sentence when the server cannot be reached or refuses. */
  static async open(
    server: string,
    client = 'ebpf-playground-cli',
    token = process.env.PLAYGROUND_TOKEN,
    resume?: { sessionId: string; token: string },
  ): Promise<PlaygroundConnection> {
    const url = new URL('/ws', server.replace(/^http/, 'ws'));
    if (token) url.searchParams.set('token', token);
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', (error) => reject(new Error(`cannot reach the playground at ${server}: ${error.message}`)));
      ws.once('unexpected-response', (_request, response) =>
        reject(
          new Error(
            `the playground at ${server} refused the connection (${response.statusCode}${response.statusCode === 401 ? ': it needs an access token, give --token or PLAYGROUND_TOKEN' : ''}).`,
          ),
        ),
      );
    });
    const connection = new PlaygroundConnection(ws);
    const answer = await connection.request({ type: 'hello', version: PROTOCOL_VERSION, client, resume });
    if (!answer.ok) throw new Error(answer.error.message);
    connection.host = answer.host;
    connection.welcome = answer;
    return connection;
  }

  /** Sends a request without waiting for its reply (it lands in `inbox`) and returns its id. */
  send(request: Request): number {
    const id = this.channel.allocateId();
    void this.channel.send(request, id);
    return id;
  }

  /** Sends `run` and waits until the program runs, fails or is refused; `outcome` is null after `ms`. */
  async startRun(
    files: SourceFile[],
    seeds: MapSeed[] = [],
    ms = 60_000,
    kernel?: string,
    options: { attach?: AttachSettings; verifierLevel?: 1 | 2 } = {},
  ): Promise<{ runId: number; outcome: RunOutcome | null }> {
    const { attach, verifierLevel } = options;
    const runId = this.send({
      type: 'run',
      files,
      seeds,
      ...(kernel ? { kernel } : {}),
      ...(attach ? { attach } : {}),
      ...(verifierLevel ? { verifierLevel } : {}),
    });
    return { runId, outcome: await this.waitFor((m): m is RunOutcome => settlesRun(m, runId), ms) };
  }

  /** Sends a request and waits for its outcome: the typed result, or the server's refusal. Rejects after `ms`. */
  async request<B extends Request>(request: B, ms = 10_000): Promise<Outcome<B['type']>> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no reply to ${request.type} within ${ms / 1000} s.`)), ms);
    });
    try {
      return await Promise.race([this.channel.send(request), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** The first message from inbox index `since` on (received so far or later) that matches, or null after `ms`. */
  async waitFor<T extends ServerMessage>(match: ((m: ServerMessage) => m is T) | ((m: ServerMessage) => boolean), ms: number, since = 0): Promise<T | null> {
    const deadline = Date.now() + ms;
    let seen = since;
    for (;;) {
      for (; seen < this.inbox.length; seen++) {
        if (match(this.inbox[seen]!)) return this.inbox[seen] as T;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.ws.readyState !== WebSocket.OPEN) return null;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Stops reading from the socket, as a stalled browser would; `resume()` reads again. */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  /** Says goodbye (close code 1000): the server ends the session at once, as for a closed tab. */
  close(): void {
    this.ws.close(1000, 'bye');
  }

  /** Drops the connection without a goodbye, as a lost network does: the session waits for a resume. */
  drop(): void {
    this.ws.terminate();
  }
}
