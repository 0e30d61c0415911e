'use client';

import { Banner } from '../../common/Banner.tsx';
import type { LessonsHandle } from '../lessons/use-lessons.ts';
import { lessonNamed } from '../lessons/courses.ts';
import type { RoomHandle } from './use-room.ts';
import ui from '../../common/ui.module.css';

/** A participant's note that the instructor sent something, with Open it and Dismiss. */
export function PushBanner({ room, lessons, onOpen }: { room: RoomHandle; lessons: LessonsHandle; onOpen(): void }) {
  const pushed = room.pushed;
  if (!pushed || room.membership?.role !== 'participant') return null;
  const lessonTitle = pushed.lesson ? (lessonNamed(lessons.courses, pushed.lesson)?.title ?? pushed.lesson) : null;
  return (
    <Banner
      tone="info"
      testId="push-banner"
      actions={
        <>
          <button type="button" className={ui.linkButton} onClick={onOpen}>
            Open it
          </button>
          <button type="button" className={ui.linkButton} onClick={room.dismissPush}>
            Dismiss
          </button>
        </>
      }
    >
      Your instructor sent {lessonTitle !== null ? `the lesson “${lessonTitle}”` : 'some code'}.
    </Banner>
  );
}
