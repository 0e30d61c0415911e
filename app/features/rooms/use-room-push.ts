import { useCallback } from 'react';
import type { Example, Lesson, MapSeed, SourceFile } from '../../../protocol/messages.ts';
import type { LessonsHandle } from '../lessons/use-lessons.ts';
import { lessonNamed } from '../lessons/courses.ts';
import type { RoomHandle } from './use-room.ts';

interface RoomPushOptions {
  room: RoomHandle;
  lessons: LessonsHandle;
  files: SourceFile[];
  checkSeeds(): MapSeed[] | null;
  openLesson(lesson: Lesson): void;
  openExample(example: Example): void;
  showLessons(): void;
}

/** Pushing code to a room (the instructor) and opening what was pushed (a participant). */
export function useRoomPush({ room, lessons, files, checkSeeds, openLesson, openExample, showLessons }: RoomPushOptions) {
  // What the instructor pushed opens here, like an example: Undo brings the participant's own files back.
  const openPushed = useCallback(() => {
    const push = room.pushed;
    if (!push) return;
    room.dismissPush();
    const lesson = push.lesson ? lessonNamed(lessons.courses, push.lesson) : undefined;
    if (lesson) {
      openLesson(lesson);
      showLessons();
    } else if (push.files) {
      openExample({
        name: `room:${push.at}`,
        title: 'the instructor’s code',
        description: '',
        expect: '',
        files: push.files,
        seeds: push.seeds ?? [],
        trigger: 'none',
      });
    }
  }, [room, lessons.courses, openLesson, showLessons, openExample]);

  const pushEditor = useCallback(async () => {
    const seeds = checkSeeds();
    if (!seeds) return 'The seeds are not valid: fix them in Maps first.';
    return room.push({ files, seeds });
  }, [room, files, checkSeeds]);

  return { openPushed, pushEditor };
}
