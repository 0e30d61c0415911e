// room_*: workshop rooms, answered by the RoomHub; every request that writes to the store is rate-limited.
import { refuse } from '../../protocol/replies.ts';
import type { HandlerTable, SessionContext } from '../session/context.ts';
import type { Spent } from '../session/rate-limit.ts';
import type { RoomRequest } from './room-hub.ts';

function limited(spend: (session: SessionContext) => Spent, refusal: string) {
  return (session: SessionContext, message: RoomRequest) => {
    const budget = spend(session);
    if (!budget.ok) return refuse(message.id, { code: 'rate_limited', message: refusal, retryAfterMs: budget.retryAfterMs });
    return session.deps.rooms.handle(session.member, message);
  };
}

// Creating and joining add to the store: they spend the Run budget, so a script cannot fill it.
const entry = limited((session) => session.spendRunBudget(), 'Too many requests at once: wait a moment and try again.');
// The rest may write too: a page sends a few a second at most, a script is cut off.
const update = limited((session) => session.spendRoomBudget(), 'Too many room updates at once: wait a moment.');

export const roomHandlers = {
  room_create: entry,
  room_join: entry,
  room_instructor: update,
  room_leave: update,
  room_update: update,
  room_hand: update,
  room_push: update,
  room_view: update,
  room_lower_hand: update,
} satisfies HandlerTable;
