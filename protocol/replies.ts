// Server → client: the one answer each request gets. A reply is a union on `ok`: a refusal
// carries one error the user can read; an acceptance says which request it answers (`to`)
// and carries that request's typed result.
import { z } from 'zod';
import { diagnosticSchema, playgroundErrorSchema } from './diagnostics.ts';
import { hostInfoSchema } from './host.ts';
import { courseSchema, workloadFactsSchema } from './lessons.ts';
import { serverLimitsSchema } from './limits.ts';
import { type ClientMessage, requestIdSchema } from './requests.ts';
import { roomPushSchema } from './rooms.ts';
import { exampleSchema, mapSeedSchema, sourceFileSchema } from './sources.ts';

/** The result each request's acceptance carries; requests with nothing to return are not listed. */
const results = {
  hello: {
    version: z.number().int(),
    sessionId: z.string(),
    /** Secret: send it back in `hello.resume` to reconnect to this session. */
    resumeToken: z.string(),
    /** True when this connection picked up an existing session (its run, if any, goes on). */
    resumed: z.boolean(),
    /** When the session ends, in milliseconds since the epoch. */
    expiresAt: z.number(),
    host: hostInfoSchema,
    /** What the server takes, so a client can refuse an oversized request itself instead of losing the connection to it. */
    limits: serverLimitsSchema.optional(),
  },
  get_examples: { examples: z.array(exampleSchema) },
  /** The id a link carries (`/?share=ID`). */
  share: { shareId: z.string() },
  get_share: { files: z.array(sourceFileSchema), seeds: z.array(mapSeedSchema), createdAt: z.number() },
  /** The project as a zip, base64-encoded. */
  export: { fileName: z.string(), zipBase64: z.string() },
  /** The bundled courses in order; lesson names are unique across them. */
  get_lessons: { courses: z.array(courseSchema) },
  /**
   * What became of the files compiled ahead: `compiled` (now, or found in the cache) with clang's
   * diagnostics, none when it said nothing; or `superseded`: newer files came before their turn
   * (the newer prepare answers for those), so there are no diagnostics of these.
   */
  prepare: { outcome: z.enum(['compiled', 'superseded']), diagnostics: z.array(diagnosticSchema) },
  /** Pass or not, one sentence saying what was seen, and what the workload chose at random. */
  check: { lesson: z.string().optional(), pass: z.boolean(), message: z.string(), facts: workloadFactsSchema },
} satisfies Partial<Record<ClientMessage['type'], z.ZodRawShape>>;

/** Who this connection is in a room: the answer to room_create, room_instructor and room_join. */
const roomResult = {
  role: z.enum(['instructor', 'participant']),
  code: z.string(),
  title: z.string(),
  /** Secret: keep it to take this place back after a reload. */
  key: z.string().optional(),
  participantId: z.string().optional(),
  /** The last thing the instructor pushed, for a participant joining late. */
  pushed: roomPushSchema.nullable(),
};
const ROOM_ENTRIES = ['room_create', 'room_instructor', 'room_join'] as const;

/** Requests whose acceptance is all there is to say (their effects arrive as run or room messages). */
export const PLAIN_REQUESTS = [
  'run',
  'stop',
  'inspect',
  'map_update',
  'map_delete',
  'set_map_interval',
  'trigger',
  'room_leave',
  'room_update',
  'room_hand',
  'room_push',
  'room_view',
  'room_lower_hand',
  'set_event_type',
] as const satisfies readonly ClientMessage['type'][];

const accepted = <T extends string, S extends z.ZodRawShape>(to: T, shape: S) =>
  z.object({ type: z.literal('reply'), id: requestIdSchema, ok: z.literal(true), to: z.literal(to), ...shape });

export const replySchema = z.discriminatedUnion('ok', [
  z.object({ type: z.literal('reply'), id: requestIdSchema, ok: z.literal(false), error: playgroundErrorSchema }),
  z.discriminatedUnion('to', [
    accepted('hello', results.hello),
    accepted('get_examples', results.get_examples),
    accepted('share', results.share),
    accepted('get_share', results.get_share),
    accepted('export', results.export),
    accepted('get_lessons', results.get_lessons),
    accepted('prepare', results.prepare),
    accepted('check', results.check),
    ...ROOM_ENTRIES.map((to) => accepted(to, roomResult)),
    z.object({ type: z.literal('reply'), id: requestIdSchema, ok: z.literal(true), to: z.enum(PLAIN_REQUESTS) }),
  ]),
]);
export type Reply = z.infer<typeof replySchema>;
export type Refusal = Extract<Reply, { ok: false }>;
export type Acceptance = Extract<Reply, { ok: true }>;

type ResultShape<T extends ClientMessage['type']> = T extends keyof typeof results
  ? z.infer<z.ZodObject<(typeof results)[T]>>
  : T extends (typeof ROOM_ENTRIES)[number]
    ? z.infer<z.ZodObject<typeof roomResult>>
    : Record<never, never>;

/** What request type `T` gets back when it is accepted. */
export type ResultOf<T extends ClientMessage['type']> = ResultShape<T>;

/** The reply accepting a request of type `to`, with its result. */
export function accept<T extends Exclude<ClientMessage['type'], never>>(id: string | number, to: T, result: ResultOf<T>): Reply {
  return { type: 'reply', id, ok: true, to, ...result } as Reply;
}

/** The reply refusing a request, with the sentence the user reads. */
export function refuse(id: string | number, error: Refusal['error']): Refusal {
  return { type: 'reply', id, ok: false, error };
}
