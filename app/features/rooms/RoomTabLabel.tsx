'use client';

import { CountBadge, TabLabel } from '../../common/TabLabel.tsx';
import { HandIcon } from './HandIcon.tsx';
import type { RoomHandle } from './use-room.ts';

/** "Room", and for the instructor how many hands are up. */
export function RoomTabLabel({ room }: { room: RoomHandle }) {
  const hands = room.membership?.role === 'instructor' ? room.board.filter((p) => p.hand).length : 0;
  return (
    <TabLabel text="Room" badge={null}>
      {hands > 0 && (
        <>
          {' '}
          <HandIcon />
          <CountBadge count={hands} label="raised hands" testId="badge-hands" />
        </>
      )}
    </TabLabel>
  );
}
