// The client core every client shares (the page, the CLI, the lesson checker, the benchmarks):
// numbering requests, matching each reply to its request, and turning a lost connection into
// an answer. It owns no socket: the client around it sends the text and feeds back what arrives.
import type { PlaygroundError } from './diagnostics.ts';
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

export const CONNECTION_LOST: PlaygroundError = { code: 'internal', message: 'The connection to the server was lost before it answered.' };

export class RequestChannel {
  private nextId = 1;
  private readonly pending = new Map<RequestId, (outcome: Outcome<ClientMessage['type']>) => void>();

  constructor(private readonly transmit: (text: string) => void) {}

  /** An id for a request sent later with {@link send}: a Run's messages carry it before its reply arrives. */
  allocateId(): number {
    return this.nextId++;
  }

  /** Sends a request; resolves with its reply's outcome, or with {@link CONNECTION_LOST} when {@link failAll} comes first. */
  send<B extends RequestBody>(body: B, id: number = this.allocateId()): Promise<Outcome<B['type']>> {
    return new Promise((resolve) => {
      this.pending.set(id, resolve as (outcome: Outcome<ClientMessage['type']>) => void);
      this.transmit(encodeClientMessage({ ...body, id } as ClientMessageInput));
    });
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
