import {
  PROTOCOL_VERSION,
  decodeServerMessage,
  encodeClientMessage,
  type ClientMessageInput,
  type Example,
  type HostInfo,
  type Lesson,
  type WorkloadFacts,
  type MapSeed,
  type PlaygroundError,
  type ServerMessage,
  type SourceFile,
} from '../../../protocol/messages.ts';

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

/** The answer to a request: results are data, so a lost connection is `ok: false` too. */
export type RequestResult = { ok: true } | { ok: false; error: PlaygroundError };

/** Messages that belong to a run (they carry `runId`, not `id`). */
export type RunMessage = Extract<ServerMessage, { runId: string | number }>;

/** Messages a workshop room sends on its own (the board, a push, a participant's view). */
export type RoomMessage = Extract<ServerMessage, { type: 'room_board' | 'room_pushed' | 'room_hand_lowered' | 'participant_view' }>;

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
type RequestBody = ClientMessageInput extends infer M ? (M extends { id: unknown } ? Omit<M, 'id'> : never) : never;
type Answer = Extract<ServerMessage, { id: string | number }>;
type Resume = { sessionId: string; token: string };

interface Pending {
  resolve: (answer: Answer | null) => void;
}

export interface PlaygroundClientOptions {
  url: string;
  /** A name the server may log. */
  client?: string;
  /** First retry delay; doubles up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  createSocket?: (url: string) => WebSocket;
}

const LOST: PlaygroundError = { code: 'internal', message: 'The connection to the server was lost before it answered.' };
const OFFLINE: PlaygroundError = { code: 'internal', message: 'Not connected to the server yet: wait for the connection to come back.' };

/**
 * The browser's side of the protocol, with no React in it: one WebSocket,
 * reopened with exponential backoff whenever it drops. Every open starts
 * with `hello`; requests get numeric ids and resolve when the answer with
 * that id arrives (or with `ok: false` when the socket closes first).
 */
export class PlaygroundClient {
  private socket: WebSocket | null = null;
  private nextId = 1;
  private readonly pending = new Map<string | number, Pending>();
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
    if (!set) this.listeners.set(event, (set = new Set()));
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
  run(files: SourceFile[], seeds: MapSeed[], kernel?: string): { runId: number; result: Promise<RequestResult> } {
    const runId = this.allocateId();
    return { runId, result: this.requestWithId(runId, { type: 'run', files, seeds, ...(kernel ? { kernel } : {}) }) };
  }

  async examples(): Promise<Example[] | null> {
    const answer = await this.send(this.allocateId(), { type: 'get_examples' });
    return answer?.type === 'examples' ? answer.examples : null;
  }

  /** Asks the server for the program as a standalone libbpf project (a zip). */
  async exportProject(files: SourceFile[], seeds: MapSeed[], language: 'c' | 'go' = 'c'): Promise<{ ok: true; fileName: string; zip: Uint8Array<ArrayBuffer> } | { ok: false; error: PlaygroundError }> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(this.allocateId(), { type: 'export', files, seeds, language });
    if (!answer) return { ok: false, error: LOST };
    if (answer.type !== 'exported' || !answer.ok || !answer.zipBase64) {
      return { ok: false, error: (answer.type === 'exported' || answer.type === 'reply' ? answer.error : undefined) ?? { code: 'internal', message: 'The export failed.' } };
    }
    return { ok: true, fileName: answer.fileName ?? 'project.zip', zip: Uint8Array.from(atob(answer.zipBase64), (c) => c.charCodeAt(0)) as Uint8Array<ArrayBuffer> };
  }

  /** Keeps the program on the server under a short id, for a link (`/?share=ID`). */
  async share(files: SourceFile[], seeds: MapSeed[]): Promise<{ ok: true; shareId: string } | { ok: false; error: PlaygroundError }> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(this.allocateId(), { type: 'share', files, seeds });
    if (!answer) return { ok: false, error: LOST };
    if (answer.type !== 'shared' || !answer.ok || !answer.shareId) {
      return { ok: false, error: (answer.type === 'shared' || answer.type === 'reply' ? answer.error : undefined) ?? { code: 'internal', message: 'Sharing failed.' } };
    }
    return { ok: true, shareId: answer.shareId };
  }

  /** The files and seeds a share link points at; an unknown id is `ok: false` with the server's sentence. */
  async openShare(shareId: string): Promise<{ ok: true; files: SourceFile[]; seeds: MapSeed[] } | { ok: false; error: PlaygroundError }> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(this.allocateId(), { type: 'get_share', shareId });
    if (!answer) return { ok: false, error: LOST };
    if (answer.type !== 'share_content' || !answer.ok || !answer.files?.length) {
      return { ok: false, error: (answer.type === 'share_content' || answer.type === 'reply' ? answer.error : undefined) ?? { code: 'internal', message: 'Could not open the shared program.' } };
    }
    return { ok: true, files: answer.files, seeds: answer.seeds ?? [] };
  }

  /** The bundled course: lessons with their steps, hints and starter files. */
  async lessons(): Promise<{ title: string; description: string; lessons: Lesson[] } | null> {
    if (this.state.status !== 'open') return null;
    const answer = await this.send(this.allocateId(), { type: 'get_lessons' });
    return answer?.type === 'lessons' ? { ...answer.course, lessons: answer.lessons } : null;
  }

  /** Starts the lesson's workload against the running program; the server judges the result. */
  async check(lesson: string): Promise<{ ok: true; pass: boolean; message: string; facts: WorkloadFacts } | { ok: false; error: PlaygroundError }> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(this.allocateId(), { type: 'check', lesson });
    if (!answer) return { ok: false, error: LOST };
    if (answer.type !== 'check_result' || !answer.ok) {
      return { ok: false, error: (answer.type === 'check_result' || answer.type === 'reply' ? answer.error : undefined) ?? { code: 'internal', message: 'The check failed to run.' } };
    }
    return { ok: true, pass: !!answer.pass, message: answer.message ?? '', facts: answer.facts ?? {} };
  }

  /** Creates, takes back or joins a workshop room: the answer says who this connection is in it. */
  async room(body: Extract<RequestBody, { type: 'room_create' | 'room_instructor' | 'room_join' }>): Promise<Extract<ServerMessage, { type: 'room' }> | { ok: false; error: PlaygroundError }> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(this.allocateId(), body);
    if (!answer) return { ok: false, error: LOST };
    if (answer.type === 'room') return answer;
    return { ok: false, error: (answer.type === 'reply' ? answer.error : undefined) ?? { code: 'internal', message: 'The room request failed.' } };
  }

  request(body: Exclude<RequestBody, { type: 'hello' | 'get_examples' | 'run' | 'export' | 'share' | 'get_share' | 'get_lessons' | 'check' | 'room_create' | 'room_instructor' | 'room_join' }>): Promise<RequestResult> {
    return this.requestWithId(this.allocateId(), body);
  }

  private allocateId(): number {
    return this.nextId++;
  }

  private async requestWithId(id: number, body: RequestBody): Promise<RequestResult> {
    if (this.state.status !== 'open') return { ok: false, error: OFFLINE };
    const answer = await this.send(id, body);
    if (!answer) return { ok: false, error: LOST };
    if (answer.type === 'reply' && !answer.ok) {
      return { ok: false, error: answer.error ?? { code: 'internal', message: 'The server refused the request.' } };
    }
    return { ok: true };
  }

  private send(id: number, body: RequestBody): Promise<Answer | null> {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.pending.set(id, { resolve });
      socket.send(encodeClientMessage({ ...body, id } as ClientMessageInput));
    });
  }

  private open(): void {
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    if (this.state.status !== 'reconnecting') this.setState({ ...this.state, status: 'connecting', retryAt: null });
    socket.onopen = () => void this.greet(socket);
    socket.onmessage = (event) => {
      if (this.socket === socket && typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failPending();
      this.scheduleRetry(event.reason || null);
    };
    // An error is always followed by close, which does the work.
    socket.onerror = () => {};
  }

  private async greet(socket: WebSocket): Promise<void> {
    const hello = { type: 'hello' as const, version: PROTOCOL_VERSION, client: this.options.client, ...(this.resume ? { resume: this.resume } : {}) };
    const answer = await this.send(this.allocateId(), hello);
    if (this.socket !== socket) return;
    if (answer?.type === 'welcome') {
      this.resume = { sessionId: answer.sessionId, token: answer.resumeToken };
      this.setState({ status: 'open', attempt: 0, retryAt: null, refused: null, reason: null });
      this.emit('welcome', { sessionId: answer.sessionId, host: answer.host, resumed: answer.resumed, expiresAt: answer.expiresAt });
      return;
    }
    if (answer?.type === 'reply' && answer.error?.code === 'protocol_version') {
      // Retrying cannot help: this page is older or newer than the server.
      this.closed = true;
      this.socket = null;
      socket.close(1000, 'protocol version');
      this.setState({ status: 'closed', attempt: 0, retryAt: null, refused: answer.error.message, reason: null });
      return;
    }
    // Any other refusal (the server is full): say why, and let the close schedule a retry.
    if (answer?.type === 'reply' && answer.error) this.state = { ...this.state, reason: answer.error.message };
  }

  private receive(text: string): void {
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) {
      this.emit('protocol_error', decoded.error);
      return;
    }
    const message = decoded.message;
    if ('runId' in message) {
      this.emit('run_message', message);
      return;
    }
    if (message.type === 'session_end') {
      this.emit('session_end', message.reason);
      return;
    }
    if (!('id' in message)) {
      this.emit('room_message', message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (pending) {
      this.pending.delete(message.id);
      pending.resolve(message);
      return;
    }
    if (message.type === 'reply' && message.error) this.emit('protocol_error', message.error.message);
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
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.resolve(null);
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
