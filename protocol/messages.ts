/**
 * The WebSocket protocol between the playground's backend and its clients
 * (the browser page and the `ebpf-playground` CLI).
 *
 * Every frame is one JSON object with a `type`. Client requests carry an `id`
 * that the server echoes in its one `reply` (and in the run messages a `run`
 * starts), so a client can match answers to questions. Both sides go through
 * {@link encodeClientMessage}/{@link decodeClientMessage} and the server
 * equivalents: nothing else parses frames.
 *
 * This module has no `node:` imports: the browser bundles it too.
 */
import { z } from 'zod';
import { type ClientMessage, clientMessageSchema } from './requests.ts';
import { replySchema } from './replies.ts';
import { roomMessageSchemas } from './room-messages.ts';
import { runMessageSchemas } from './run-messages.ts';

export * from './diagnostics.ts';
export * from './host.ts';
export * from './json.ts';
export * from './lessons.ts';
export * from './limits.ts';
export * from './maps.ts';
export * from './replies.ts';
export * from './requests.ts';
export * from './rooms.ts';
export * from './run.ts';
export * from './sources.ts';
export * from './type-desc.ts';

/** Bumped on any incompatible change; the server refuses other versions in `hello`. */
export const PROTOCOL_VERSION = 3;

export type ClientMessageInput = z.input<typeof clientMessageSchema>;

export const serverMessageSchema = z.discriminatedUnion('type', [
  /** The session is over (lifetime reached, idle, or the server is shutting down); the connection closes next. */
  z.object({ type: z.literal('session_end'), reason: z.string() }),
  replySchema,
  ...runMessageSchemas,
  ...roomMessageSchemas,
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;
/** Messages that belong to a run (they carry `runId`). */
export type RunMessage = Extract<ServerMessage, { runId: string | number }>;
/** Messages a workshop room sends on its own. */
export type RoomMessage = Extract<ServerMessage, { type: (typeof roomMessageSchemas)[number]['shape']['type']['value'] }>;

export type DecodeResult<T> = { ok: true; message: T } | { ok: false; error: string };

function decodeWith<T>(schema: z.ZodType<T>, raw: string): DecodeResult<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { ok: false, error: 'The message is not valid JSON.' };
  }
  const parsed = schema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    return { ok: false, error: `The message is malformed${where}: ${issue?.message ?? 'invalid'}.` };
  }
  return { ok: true, message: parsed.data };
}

export const decodeClientMessage = (raw: string): DecodeResult<ClientMessage> => decodeWith(clientMessageSchema, raw);
export const decodeServerMessage = (raw: string): DecodeResult<ServerMessage> => decodeWith(serverMessageSchema, raw);
export const encodeClientMessage = (message: ClientMessageInput): string => JSON.stringify(message);
export const encodeServerMessage = (message: ServerMessage): string => JSON.stringify(message);
