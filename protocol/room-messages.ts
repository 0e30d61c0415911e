// Server → client, sent by a workshop room on its own: the instructor's board, a push, a participant's view.
import { z } from 'zod';
import { lastRunSchema, participantSchema, roomPushSchema } from './rooms.ts';
import { traceLineSchema } from './run.ts';
import { sourceFileSchema } from './sources.ts';

export const roomMessageSchemas = [
  /** Instructor: everyone in the room, sent again on every change. */
  z.object({ type: z.literal('room_board'), code: z.string(), participants: z.array(participantSchema) }),
  /** Participant: the instructor pushed a lesson or a snippet. */
  z.object({ type: z.literal('room_pushed'), push: roomPushSchema }),
  /** Participant: the instructor lowered your hand. */
  z.object({ type: z.literal('room_hand_lowered') }),
  /** Instructor: the participant being viewed, read-only: their files, their last run, their latest output lines. */
  z.object({
    type: z.literal('participant_view'),
    participantId: z.string(),
    name: z.string(),
    files: z.array(sourceFileSchema),
    lastRun: lastRunSchema.nullable(),
    /** The newest lines (the view keeps a window, not everything). */
    trace: z.array(traceLineSchema),
    /** true: `trace` holds only lines since the previous view message. */
    appended: z.boolean(),
  }),
] as const;
