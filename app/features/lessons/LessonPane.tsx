'use client';

import { useId, useMemo } from 'react';
import type { Lesson } from '../../../protocol/messages.ts';
import type { LessonsHandle } from './use-lessons.ts';
import { renderMarkdown } from './markdown.ts';
import { Button } from '../../common/Button.tsx';
import { Segment } from '../../common/Segment.tsx';
import styles from './lessons.module.css';
import ui from '../../common/ui.module.css';

interface LessonPaneProps {
  lessons: LessonsHandle;
  /** The program is attached: Check needs it running. */
  running: boolean;
  /** The editor holds this lesson's files (or the user's edits of them). */
  loaded: boolean;
  /** Opens a lesson: its text here and its starter files in the editor. */
  onOpen(lesson: Lesson): void;
}

/**
 * A lesson: its text one step at a time, Check (which starts the lesson's
 * workload on the server and judges the running program), hints that unlock
 * with each failed check, and the pass mark. Without a lesson open, the course
 * picked (the first by default) and its lessons.
 */
export function LessonPane({ lessons, running, loaded, onOpen }: LessonPaneProps) {
  const { courses, course, lesson, progress, step, outcome } = lessons;
  const html = useMemo(() => (lesson ? renderMarkdown(lesson.steps[step]?.markdown ?? '') : ''), [lesson, step]);
  const courseGroup = useId();

  if (!courses || !course) return <div className={ui.emptyState}>Loading the courses…</div>;
  if (!lesson) {
    return (
      <div className={styles.lessonPane} data-testid="course">
        {courses.length > 1 && (
          <div className={ui.paneToolbar} role="radiogroup" aria-label="Course">
            {courses.map((c) => (
              <Segment key={c.name} name={courseGroup} checked={c === course} onSelect={() => lessons.pickCourse(c.name)}>
                {c.title}
              </Segment>
            ))}
          </div>
        )}
        <h2 className={styles.lessonTitle}>{course.title}</h2>
        <p className={styles.lessonSummary}>{course.description}</p>
        <ol className={styles.courseList}>
          {course.lessons.map((l) => (
            <li key={l.name}>
              <button type="button" className={`${ui.linkButton} ${styles.courseItem}`} onClick={() => onOpen(l)}>
                {l.title}
              </button>
              {progress.passed.includes(l.name) && (
                <span className={styles.passMark} role="img" aria-label="passed">
                  ✓
                </span>
              )}
              <span className={styles.lessonSummary}>{l.summary}</span>
            </li>
          ))}
        </ol>
      </div>
    );
  }

  const index = course.lessons.indexOf(lesson);
  const passed = progress.passed.includes(lesson.name);
  const unlocked = Math.min(lesson.hints.length, progress.failures[lesson.name] ?? 0);
  const last = step === lesson.steps.length - 1;
  const next = course.lessons[index + 1];
  return (
    <div className={styles.lessonPane} data-testid="lesson">
      <div className={ui.paneToolbar}>
        <button type="button" className={ui.linkButton} onClick={lessons.close} title={`All lessons of “${course.title}”`}>
          ← Course
        </button>
        <span className={styles.lessonCount}>
          Lesson {index + 1} of {course.lessons.length}
        </span>
        {passed && (
          <span className={styles.passMark} data-testid="lesson-passed">
            ✓ Passed
          </span>
        )}
        <span className={ui.spacer} />
        {!loaded && (
          <Button compact onClick={() => onOpen(lesson)} title="Open the lesson's starter files in the editor">
            Open starter code
          </Button>
        )}
      </div>
      <div className={styles.lessonBody}>
        <h2 className={styles.lessonTitle}>{lesson.title}</h2>
        <p className={styles.lessonStepTitle}>
          Step {step + 1} of {lesson.steps.length}: {lesson.steps[step]?.title}
        </p>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: the lesson's markdown is rendered by markdown-it with raw HTML off (markdown.ts), so the HTML holds only what markdown makes. */}
        <div className={styles.lessonText} dangerouslySetInnerHTML={{ __html: html }} />
        <div className={styles.lessonNav}>
          <Button compact disabled={step === 0} onClick={() => lessons.setStep(step - 1)}>
            Back
          </Button>
          {!last && (
            <Button compact onClick={() => lessons.setStep(step + 1)}>
              Next step
            </Button>
          )}
          {last && passed && next && (
            <Button compact onClick={() => onOpen(next)}>
              Next lesson: {next.title}
            </Button>
          )}
        </div>

        <section className={styles.lessonCheck} aria-label="Check">
          <Button
            primary
            onClick={() => void lessons.check()}
            disabled={!running || outcome?.kind === 'checking'}
            title={running ? 'Start the lesson’s workload and judge what your program does' : 'Press Run first: the check watches your running program'}
          >
            {outcome?.kind === 'checking' ? 'Checking…' : 'Check'}
          </Button>
          {!running && <span className={styles.hint}>Press Run first: the check watches your running program.</span>}
          {outcome?.kind === 'result' && (
            <p
              className={outcome.pass ? `${styles.checkResult} ${styles.pass}` : `${styles.checkResult} ${styles.fail}`}
              role="status"
              data-testid="check-result"
            >
              {outcome.pass ? '✓ Passed. ' : '✕ Not yet. '}
              {outcome.message}
            </p>
          )}
          {outcome?.kind === 'error' && (
            <p className={`${styles.checkResult} ${styles.fail}`} role="status" data-testid="check-result">
              {outcome.message}
            </p>
          )}
        </section>

        {lesson.hints.length > 0 && (
          <section className={styles.lessonHints} aria-label="Hints">
            <h3>
              Hints ({unlocked} of {lesson.hints.length})
            </h3>
            {unlocked > 0 && (
              <ol>
                {lesson.hints.slice(0, unlocked).map((hint) => (
                  <li key={hint}>{hint}</li>
                ))}
              </ol>
            )}
            {unlocked < lesson.hints.length && (
              <button type="button" className={ui.linkButton} onClick={lessons.revealHint}>
                {unlocked ? 'Show another hint' : 'Show a hint'}
              </button>
            )}
            <p className={styles.hint}>Each check that does not pass unlocks the next hint.</p>
          </section>
        )}
      </div>
    </div>
  );
}
