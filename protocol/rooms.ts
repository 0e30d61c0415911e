// Workshop rooms: participants on the instructor's board, their last Run, and what the instructor pushed.
import { z } from 'zod';
import { diagnosticSchema } from './diagnostics.ts';
import { mapSeedSchema, MAX_SOURCE_FILES, sourceFileSchema } from './sources.ts';
import { runStateSchema, stageSchema } from './run.ts';

/** Room codes: six letters and digits, none that read alike (0/O, 1/I/L). */
export const ROOM_CODE = /^[A-HJKMNP-Z2-9]{6}$/;

/** Errors a failed Run keeps for the instructor: enough to find the line, not a whole log. */
export const MAX_RUN_PROBLEMS = 10;

/** What a participant's last Run came to, for the instructor's board. */
export const lastRunSchema = z.object({
  state: runStateSchema,
  stage: stageSchema,
  /** The error, in the sentence the participant saw. */
  message: z.string().optional(),
  /** A failed Run: where it failed in the participant's C (clang's errors, or the line the verifier stopped on), for the viewer to mark. */
  problems: z.array(diagnosticSchema).max(MAX_RUN_PROBLEMS).optional(),
  at: z.number(),
});
export type LastRun = z.infer<typeof lastRunSchema>;

export const participantSchema = z.object({
  id: z.string(),
  name: z.string(),
  connected: z.boolean(),
  lesson: z.string().nullable(),
  step: z.number().int(),
  /** Lessons whose check passed in this room (judged by the server). */
  passed: z.array(z.string()),
  lastRun: lastRunSchema.nullable(),
  hand: z.boolean(),
  joinedAt: z.number(),
});
export type Participant = z.infer<typeof participantSchema>;

/** What the instructor pushed to everyone: a bundled lesson, or files (a snippet) with seeds. */
export const roomPushSchema = z.object({
  lesson: z.string().max(64).optional(),
  files: z.array(sourceFileSchema).min(1).max(MAX_SOURCE_FILES).optional(),
  seeds: z.array(mapSeedSchema).max(256).optional(),
  at: z.number(),
});
export type RoomPush = z.infer<typeof roomPushSchema>;
