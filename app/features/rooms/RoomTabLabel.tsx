'use client';

import { TabLabel } from '../../shared/TabLabel.tsx';
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
          <span className="badge" data-testid="badge-hands" aria-label="raised hands">
            {hands}
          </span>
        </>
      )}
    </TabLabel>
  );
}
