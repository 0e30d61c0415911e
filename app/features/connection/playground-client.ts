import { CONNECTION_LOST, RequestChannel, type Outcome, type RequestBody } from '../../../protocol/client.ts';
import {
  PROTOCOL_VERSION,
  type AttachSettings,
  type Example,
  type HostInfo,
  type Course,
  type MapSeed,
  type PlaygroundError,
  type RoomMessage,
  type RunMessage,
  type SourceFile,
} from '../../../protocol/messages.ts';

export type { RoomMessage, RunMessage };

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Failed attempts since the socket was last open. */
  attempt: number;
  /** When the next attempt starts (Date.now() ms), while reconnecting. */
  retryAt: number | null;
  /** Why the server refused us (a protocol version mismatch); no retry then. */
  refused: string | null;
  /** Why the last connection ended, when the server said (a close reason or a refusal). */
  reason: string | null;
}

export interface Welcome {
  sessionId: string;
  host: HostInfo;
  /** This connection picked up the session (and its run) the last one had. */
  resumed: boolean;
  /** When the session ends, ms since the epoch. */
  expiresAt: number;
}

/** The answer to a request with no result: results are data, so a lost connection is `ok: false` too. */
export type RequestResult = { ok: true } | { ok: false; error: PlaygroundError };

export interface ClientEvents {
  connection: ConnectionState;
  welcome: Welcome;
  run_message: RunMessage;
  room_message: RoomMessage;
  /** The server ended the session or stopped its program (lifetime, idle, shutdown). */
  session_end: string;
  /** A frame the protocol module could not decode, or a reply to nothing we asked. */
  protocol_error: string;
}

type Listener<K extends keyof ClientEvents> = (event: ClientEvents[K]) => void;
type Resume = { sessionId: string; token: string };

export interface PlaygroundClientOptions {
  url: string;
  /** A name the server may log. */
  client?: string;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  createSocket?: (url: string) => WebSocket;
}

const OFFLINE: PlaygroundError = { code: 'connection_lost', message: 'Not connected to the server yet: wait for the connection to come back.' };

/**
 * The browser's side of the protocol, with no React in it: one WebSocket,
 * reopened with exponential backoff whenever it drops. Every open starts
 * with `hello`; requests go through the shared {@link RequestChannel}, and
 * resolve when their reply arrives (or with `ok: false` when the socket
 * closes first).
 */
export class PlaygroundClient {
  private socket: WebSocket | null = null;
  private readonly channel = new RequestChannel((text) => this.socket?.send(text));
  private readonly listeners = new Map<keyof ClientEvents, Set<(event: never) => void>>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;
  private state: ConnectionState = { status: 'connecting', attempt: 0, retryAt: null, refused: null, reason: null };
  /** The session to pick up after a dropped connection (the server keeps it, and its run, for a grace period). */
  private resume: Resume | null = null;
  private readonly options: Required<PlaygroundClientOptions>;

  constructor(options: PlaygroundClientOptions) {
    this.options = {
      client: 'browser',
      baseDelayMs: 500,
      maxDelayMs: 10_000,
      createSocket: (url) => new WebSocket(url),
      ...options,
    };
  }

  get connection(): ConnectionState {
    return this.state;
  }

  on<K extends keyof ClientEvents>(event: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const added = listener as (event: never) => void;
    set.add(added);
    return () => void set.delete(added);
  }

  /** Opens the socket; call once. */
  connect(): void {
    this.closed = false;
    this.open();
  }

  /** Skips the backoff wait and tries again now (the banner's "Retry now"). */
  retryNow(): void {
    if (this.closed || this.state.status !== 'reconnecting') return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.open();
  }

  /** Closes for good: no more reconnects, pending requests resolve as lost. */
  close(): void {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'page closed');
    this.failPending();
    this.setState({ status: 'closed', attempt: 0, retryAt: null, refused: null, reason: null });
  }

  /** Starts a run; the returned id is the `runId` of every message the run sends. */
  run(
    files: SourceFile[],
    seeds: MapSeed[],
    kernel?: string,
    options: { attach?: AttachSettings; verifierLevel?: 1 | 2 } = {},
  ): { runId: number; result: Promise<RequestResult> } {
    const runId = this.channel.allocateId();
    const { attach, verifierLevel } = options;
    const request = {
      type: 'run' as const,
      files,
      seeds,
      ...(kernel ? { kernel } : {}),
      ...(attach ? { attach } : {}),
      ...(verifierLevel ? { verifierLevel } : {}),
    };
    return { runId, result: this.request(request, runId) };
  }

  async examples(): Promise<Example[] | null> {
    const answer = await this.request({ type: 'get_examples' });
    return answer.ok ? answer.examples : null;
  }

  /** Asks the server for the program as a standalone project (a zip), its loader in C or Go. */
  async exportProject(
    files: SourceFile[],
    seeds: MapSeed[],
    language: 'c' | 'go' = 'c',
  ): Promise<{ ok: true; fileName: string; zip: Uint8Array<ArrayBuffer> } | { ok: false; error: PlaygroundError }> {
    const answer = await this.request({ type: 'export', files, seeds, language });
    if (!answer.ok) return answer;
    return { ok: true, fileName: answer.fileName, zip: Uint8Array.from(atob(answer.zipBase64), (c) => c.charCodeAt(0)) as Uint8Array<ArrayBuffer> };
  }

  /** Keeps the program on the server under a short id, for a link (`/?share=ID`). */
  share(files: SourceFile[], seeds: MapSeed[]): Promise<Outcome<'share'>> {
    return this.request({ type: 'share', files, seeds });
  }

  /** The files and seeds a share link points at; an unknown id is `ok: false` with the server's sentence. */
  openShare(shareId: string): Promise<Outcome<'get_share'>> {
    return this.request({ type: 'get_share', shareId });
  }

  /** The bundled courses, in order: lessons with their steps, hints and starter files. */
  async courses(): Promise<Course[] | null> {
    const answer = await this.request({ type: 'get_lessons' });
    return answer.ok ? answer.courses : null;
  }

  /** Starts the lesson's workload against the running program; the server judges the result. */
  check(lesson: string): Promise<Outcome<'check'>> {
    return this.request({ type: 'check', lesson });
  }

  /**
   * Sends a request and resolves with its outcome: the typed result, or the
   * server's refusal, or `ok: false` when not connected or the connection drops.
   */
  request<B extends RequestBody>(body: B, id?: number): Promise<Outcome<B['type']>> {
    const socket = this.socket;
    // A socket already closing is lost now, not at its close event: the state shown and this answer must agree.
    if (this.state.status === 'open' && socket && socket.readyState !== WebSocket.OPEN) this.lost(socket, null);
    if (this.state.status !== 'open' || !this.socket) return Promise.resolve({ ok: false, error: OFFLINE });
    return this.channel.send(body, id);
  }

  private open(): void {
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    if (this.state.status !== 'reconnecting') this.setState({ ...this.state, status: 'connecting', retryAt: null });
    socket.onopen = () => void this.greet(socket);
    socket.onmessage = (event) => {
      if (this.socket === socket && typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = (event) => this.lost(socket, event.reason || null);
    // An error is always followed by close, which does the work.
    socket.onerror = () => {};
  }

  /** The socket is gone (closed, or found closing): its requests are answered as lost, and the reconnect is scheduled, once. */
  private lost(socket: WebSocket, reason: string | null): void {
    if (this.socket !== socket) return;
    this.socket = null;
    this.failPending();
    this.scheduleRetry(reason);
  }

  private async greet(socket: WebSocket): Promise<void> {
    const answer = await this.channel.send({
      type: 'hello',
      version: PROTOCOL_VERSION,
      client: this.options.client,
      ...(this.resume ? { resume: this.resume } : {}),
    });
    if (this.socket !== socket) return;
    if (answer.ok) {
      this.resume = { sessionId: answer.sessionId, token: answer.resumeToken };
      // Requests over these are answered here, so an oversized one never costs the connection.
      this.channel.setLimits(answer.limits ?? null);
      this.setState({ status: 'open', attempt: 0, retryAt: null, refused: null, reason: null });
      this.emit('welcome', { sessionId: answer.sessionId, host: answer.host, resumed: answer.resumed, expiresAt: answer.expiresAt });
      return;
    }
    if (answer.error.code === 'protocol_version') {
      // Retrying cannot help: this page is older or newer than the server.
      this.closed = true;
      this.socket = null;
      socket.close(1000, 'protocol version');
      this.setState({ status: 'closed', attempt: 0, retryAt: null, refused: answer.error.message, reason: null });
      return;
    }
    // Any other refusal (the server is full): say why, and let the close schedule a retry.
    if (answer.error !== CONNECTION_LOST) this.state = { ...this.state, reason: answer.error.message };
  }

  private receive(text: string): void {
    const received = this.channel.receive(text);
    if (!received.ok) return this.emit('protocol_error', received.error);
    const { message } = received;
    if (received.answered) return;
    if ('runId' in message) return this.emit('run_message', message);
    if (message.type === 'session_end') return this.emit('session_end', message.reason);
    if (message.type === 'reply') {
      if (!message.ok) this.emit('protocol_error', message.error.message);
      return;
    }
    this.emit('room_message', message);
  }

  private scheduleRetry(reason: string | null): void {
    if (this.closed) return;
    const attempt = this.state.attempt + 1;
    // Exponential backoff with jitter, so a restarted server is not hit by every tab at once.
    const delay = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
    this.setState({ status: 'reconnecting', attempt, retryAt: Date.now() + delay, refused: null, reason: reason ?? this.state.reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.open();
    }, delay);
  }

  private failPending(): void {
    this.channel.failAll();
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.emit('connection', state);
  }

  private emit<K extends keyof ClientEvents>(event: K, payload: ClientEvents[K]): void {
    for (const listener of this.listeners.get(event) ?? []) (listener as Listener<K>)(payload);
  }
}

/**
 * The WebSocket URL on the page's own host: ws(s)://host/ws. A workshop's
 * access token in the page's address (/?token=…) goes along.
 */
export function defaultSocketUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get('token');
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${query}`;
}
