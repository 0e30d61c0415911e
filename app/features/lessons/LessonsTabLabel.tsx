'use client';

import { TabLabel } from '../../common/TabLabel.tsx';
import type { LessonsHandle } from './use-lessons.ts';
import styles from './lessons.module.css';

/** "Lessons", with a ✓ once the open lesson has passed. */
export function LessonsTabLabel({ lessons }: { lessons: LessonsHandle }) {
  const passed = !!lessons.lesson && lessons.progress.passed.includes(lessons.lesson.name);
  return (
    <TabLabel text="Lessons" badge={null}>
      {passed && (
        <span className={styles.passMark} role="img" aria-label="passed">
          ✓
        </span>
      )}
    </TabLabel>
  );
}
