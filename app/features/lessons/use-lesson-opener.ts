import { useCallback } from 'react';
import type { Example, Lesson } from '../../../protocol/messages.ts';
import type { LessonsHandle } from './use-lessons.ts';

/** A lesson's files sit in the workspace as an example of this name, so edits show as changes to them. */
export function lessonExampleName(lesson: Lesson): string {
  return `lesson:${lesson.name}`;
}

/** A lesson's starter files open like an example (with Undo when they replace edits). */
export function useLessonOpener(lessons: LessonsHandle, currentExample: string | null, openExample: (example: Example) => void) {
  return useCallback(
    (lesson: Lesson) => {
      lessons.open(lesson.name);
      if (currentExample !== lessonExampleName(lesson)) {
        openExample({
          name: lessonExampleName(lesson),
          title: lesson.title,
          description: lesson.summary,
          expect: '',
          files: lesson.files,
          seeds: lesson.seeds,
          trigger: 'none',
        });
      }
    },
    [lessons, currentExample, openExample],
  );
}
