// Client → server: every request a page or the CLI may send. Each carries an `id` the answer echoes.
import { z } from 'zod';
import { jsonSchema } from './json.ts';
import { checkSpecSchema, workloadSpecSchema } from './lessons.ts';
import { attachSettingsSchema } from './run.ts';
import { mapSeedSchema, MAX_SOURCE_FILES, sourceFileSchema } from './sources.ts';

export const requestIdSchema = z.union([z.string().max(64), z.number().int()]);
export type RequestId = z.infer<typeof requestIdSchema>;
const requestId = requestIdSchema;

export const clientMessageSchema = z.discriminatedUnion('type', [
  /**
   * The first message on every connection. `resume` picks up a session whose
   * connection dropped, within the grace period, with the token its welcome gave.
   */
  z.object({
    type: z.literal('hello'),
    id: requestId,
    version: z.number().int(),
    client: z.string().max(64),
    resume: z.object({ sessionId: z.string().max(64), token: z.string().max(64) }).optional(),
  }),
  z.object({ type: z.literal('get_examples'), id: requestId }),
  z.object({
    type: z.literal('run'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES),
    seeds: z.array(mapSeedSchema).max(256).default([]),
    /** A kernel's name from `hello.host.kernels`; the default kernel when left out. */
    kernel: z.string().max(32).optional(),
    /** How perf_event, uprobe and usdt programs attach; the defaults when left out. */
    attach: attachSettingsSchema.optional(),
    /** 2: load with the verifier's every step in its log (the stepper, `--verifier-steps`); 1, the default, logs its summary. */
    verifierLevel: z.union([z.literal(1), z.literal(2)]).optional(),
  }),
  z.object({ type: z.literal('stop'), id: requestId }),
  /** The Inspect tabs were opened: send the current run's `inspect` (made on this first ask, then cached with the object). */
  z.object({ type: z.literal('inspect'), id: requestId }),
  /**
   * Compile these files now, into the cache, without running them: the page
   * sends this when the user pauses typing, so Run finds the object built.
   * Replied to once the compile is done, skipped, or refused.
   */
  z.object({ type: z.literal('prepare'), id: requestId, files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES), kernel: z.string().max(32).optional() }),
  z.object({
    type: z.literal('map_update'),
    id: requestId,
    map: z.string().max(64),
    key: jsonSchema,
    value: jsonSchema,
  }),
  z.object({ type: z.literal('map_delete'), id: requestId, map: z.string().max(64), key: jsonSchema }),
  /** How often maps are re-read and sent, in milliseconds. */
  z.object({ type: z.literal('set_map_interval'), id: requestId, ms: z.number().int().min(100).max(60_000) }),
  z.object({ type: z.literal('trigger'), id: requestId, what: z.enum(['exec', 'open']) }),
  /** Build a zip of a real libbpf project (sources, a skeleton loader in C, a Makefile) from these files and seeds. */
  z.object({
    type: z.literal('export'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES),
    seeds: z.array(mapSeedSchema).max(256).default([]),
    /** The project's name, a C identifier; the main file's name when absent. */
    name: z.string().max(64).optional(),
    /** The loader's language: C on the libbpf skeleton, or Go on cilium/ebpf and bpf2go. */
    language: z.enum(['c', 'go']).default('c'),
  }),
  /** Keep these files and seeds under a short id, for a link that opens them (and never runs them by itself). */
  z.object({
    type: z.literal('share'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES),
    seeds: z.array(mapSeedSchema).max(256).default([]),
  }),
  /** The files and seeds kept under a share id. */
  z.object({ type: z.literal('get_share'), id: requestId, shareId: z.string().max(32) }),
  z.object({ type: z.literal('get_lessons'), id: requestId }),
  /**
   * Check the running program: start the lesson's workload and judge what the
   * program printed, counted or sent. A bundled lesson by name, or a spec
   * (from `ebpf-playground lesson check` on a lesson folder).
   */
  z.object({
    type: z.literal('check'),
    id: requestId,
    lesson: z.string().max(64).optional(),
    spec: z.object({ workload: workloadSpecSchema, check: checkSpecSchema }).optional(),
  }),
  /** An instructor opens a new room; the answer carries its code and the instructor's secret key. */
  z.object({ type: z.literal('room_create'), id: requestId, title: z.string().max(80).optional() }),
  /** An instructor takes their room back (after a reload or a restart) with its key. */
  z.object({ type: z.literal('room_instructor'), id: requestId, code: z.string().max(16), key: z.string().max(64) }),
  /** A participant joins with the code and a name; `rejoin` takes back their place after a reload. */
  z.object({
    type: z.literal('room_join'),
    id: requestId,
    code: z.string().max(16),
    name: z.string().trim().min(1).max(40),
    rejoin: z.object({ participantId: z.string().max(64), key: z.string().max(64) }).optional(),
  }),
  z.object({ type: z.literal('room_leave'), id: requestId }),
  /** A participant's editor and lesson step, for the board and the read-only view. */
  z.object({
    type: z.literal('room_update'),
    id: requestId,
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
    lesson: z.string().max(64).nullable().optional(),
    step: z.number().int().min(0).max(100).optional(),
  }),
  z.object({ type: z.literal('room_hand'), id: requestId, raised: z.boolean() }),
  /** Instructor: send a bundled lesson, or files and seeds, to every participant. */
  z.object({
    type: z.literal('room_push'),
    id: requestId,
    lesson: z.string().max(64).optional(),
    files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
    seeds: z.array(mapSeedSchema).max(256).default([]),
  }),
  /** Instructor: follow one participant's editor and output, read-only; null stops. */
  z.object({ type: z.literal('room_view'), id: requestId, participantId: z.string().max(64).nullable() }),
  /** Instructor: lower a participant's hand. */
  z.object({ type: z.literal('room_lower_hand'), id: requestId, participantId: z.string().max(64) }),
  /** Decode a ring buffer's or perf buffer's records as this struct (a name from the object's BTF), or null for hex. */
  z.object({ type: z.literal('set_event_type'), id: requestId, map: z.string().max(64), typeName: z.string().max(128).nullable() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;
