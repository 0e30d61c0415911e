import { z } from 'zod';

/**
 * Rooms this browser runs whose board is closed. Closing the board keeps the
 * instructor's key, the only way back to the board: only an asked "Forget"
 * drops it.
 */
export const keptRoomsSchema = z.array(z.object({ code: z.string(), key: z.string(), title: z.string() }));
export type KeptRoom = z.infer<typeof keptRoomsSchema>[number];

/** The list with this room first (a room closed again moves to the top), once. */
export function keepRoom(kept: KeptRoom[], room: KeptRoom): KeptRoom[] {
  return [{ code: room.code, key: room.key, title: room.title }, ...withoutRoom(kept, room.code)];
}

export function withoutRoom(kept: KeptRoom[], code: string): KeptRoom[] {
  return kept.filter((room) => room.code !== code);
}
