// The client core every client shares (the page, the CLI, the lesson checker, the benchmarks):
// numbering requests, matching each reply to its request, and turning a lost connection into
// an answer. It owns no socket: the client around it sends the text and feeds back what arrives.
import type { PlaygroundError } from './diagnostics.ts';
import { frameSizeProblem, type ServerLimits, sourceSizeProblem, utf8Bytes } from './limits.ts';
import { decodeServerMessage, encodeClientMessage, type ClientMessageInput, type ServerMessage } from './messages.ts';
import type { ResultOf } from './replies.ts';
import type { ClientMessage, RequestId } from './requests.ts';

/** A request as a caller writes it: the core gives it its id. */
export type RequestBody<T extends ClientMessage['type'] = ClientMessage['type']> = T extends unknown
  ? Omit<Extract<ClientMessageInput, { type: T }>, 'id'>
  : never;

/** How a request came out, as data: its typed result, or the one error the user reads. */
export type Outcome<T extends ClientMessage['type']> = ({ ok: true } & ResultOf<T>) | { ok: false; error: PlaygroundError };

/** What one received frame was, for the client around the core. */
export type Received = { ok: true; message: ServerMessage; answered: boolean } | { ok: false; error: string };

export const CONNECTION_LOST: PlaygroundError = { code: 'connection_lost', message: 'The connection to the server was lost before it answered.' };

export class RequestChannel {
  private nextId = 1;
  private readonly pending = new Map<RequestId, (outcome: Outcome<ClientMessage['type']>) => void>();
  /** What the server said it takes (in hello); null until then, and nothing is checked. */
  private limits: ServerLimits | null = null;

  constructor(private readonly transmit: (text: string) => void) {}

  /**
   * From now on, requests over the server's limits are answered here and never
   * sent: a message over the WebSocket limit would cost the connection, not
   * just that request.
   */
  setLimits(limits: ServerLimits | null): void {
    this.limits = limits;
  }

  /** An id for a request sent later with {@link send}: a Run's messages carry it before its reply arrives. */
  allocateId(): number {
    return this.nextId++;
  }

  /**
   * Sends a request; resolves with its reply's outcome, or with {@link CONNECTION_LOST} when {@link failAll} comes first,
   * or at once with a `bad_request` sentence when it is over the server's limits (and then nothing is sent).
   */
  send<B extends RequestBody>(body: B, id: number = this.allocateId()): Promise<Outcome<B['type']>> {
    const text = encodeClientMessage({ ...body, id } as ClientMessageInput);
    const tooBig = this.sizeProblem(body, text);
    if (tooBig) return Promise.resolve({ ok: false, error: { code: 'bad_request', message: tooBig } });
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (outcome: Outcome<ClientMessage['type']>) => void);
      this.transmit(text);
    });
  }

  /** The sentence the server would answer, said here first: the files over the source limit, or the frame over the socket's. */
  private sizeProblem(body: RequestBody, text: string): string | null {
    if (!this.limits) return null;
    const files = 'files' in body ? body.files : undefined;
    const sources = files ? sourceSizeProblem(files, this.limits.sourceBytes) : null;
    if (sources) return sources;
    // A UTF-16 unit is at most 3 UTF-8 bytes: most frames are known to fit without counting.
    if (text.length * 3 <= this.limits.wsMaxPayloadBytes) return null;
    return frameSizeProblem(utf8Bytes(text), this.limits.wsMaxPayloadBytes);
  }

  /** Decodes one frame; a reply to a pending request settles it (`answered`). */
  receive(text: string): Received {
    const decoded = decodeServerMessage(text);
    if (!decoded.ok) return decoded;
    const message = decoded.message;
    const settle = message.type === 'reply' ? this.pending.get(message.id) : undefined;
    if (message.type !== 'reply' || !settle) return { ok: true, message, answered: false };
    this.pending.delete(message.id);
    const { type: _type, id: _id, ...outcome } = message;
    settle(outcome as Outcome<ClientMessage['type']>);
    return { ok: true, message, answered: true };
  }

  /** The connection is gone: every request still waiting resolves with `error`. */
  failAll(error: PlaygroundError = CONNECTION_LOST): void {
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const settle of waiting) settle({ ok: false, error });
  }

  get waiting(): number {
    return this.pending.size;
  }
}
