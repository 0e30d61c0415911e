'use client';

import { TabLabel } from '../../shared/TabLabel.tsx';
import type { LessonsHandle } from './use-lessons.ts';

/** "Lessons", with a ✓ once the open lesson has passed. */
export function LessonsTabLabel({ lessons }: { lessons: LessonsHandle }) {
  const passed = !!lessons.lesson && lessons.progress.passed.includes(lessons.lesson.name);
  return (
    <TabLabel text="Lessons" badge={null}>
      {passed && (
        <span className="pass-mark" aria-label="passed">
          ✓
        </span>
      )}
    </TabLabel>
  );
}
