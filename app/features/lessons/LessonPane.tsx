'use client';

import { useMemo } from 'react';
import type { Lesson } from '../../../protocol/messages.ts';
import type { LessonsHandle } from './use-lessons.ts';
import { renderMarkdown } from './markdown.ts';
import { Button } from '../../shared/Button.tsx';

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
 * with each failed check, and the pass mark. Without a lesson open, the course.
 */
export function LessonPane({ lessons, running, loaded, onOpen }: LessonPaneProps) {
  const { course, lesson, progress, step, outcome } = lessons;
  const html = useMemo(() => (lesson ? renderMarkdown(lesson.steps[step]?.markdown ?? '') : ''), [lesson, step]);

  if (!course) return <div className="empty-state">Loading the course…</div>;
  if (!lesson) {
    return (
      <div className="lesson-pane" data-testid="course">
        <h2 className="lesson-title">{course.title}</h2>
        <p className="lesson-summary">{course.description}</p>
        <ol className="course-list">
          {course.lessons.map((l) => (
            <li key={l.name}>
              <button type="button" className="link-button course-item" onClick={() => onOpen(l)}>
                {l.title}
              </button>
              {progress.passed.includes(l.name) && <span className="pass-mark" aria-label="passed">✓</span>}
              <span className="lesson-summary">{l.summary}</span>
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
    <div className="lesson-pane" data-testid="lesson">
      <div className="pane-toolbar">
        <button type="button" className="link-button" onClick={lessons.close} title="All lessons">
          ← Course
        </button>
        <span className="lesson-count">
          Lesson {index + 1} of {course.lessons.length}
        </span>
        {passed && (
          <span className="pass-mark" data-testid="lesson-passed">
            ✓ Passed
          </span>
        )}
        <span className="topbar-spacer" />
        {!loaded && (
          <Button compact onClick={() => onOpen(lesson)} title="Open the lesson's starter files in the editor">
            Open starter code
          </Button>
        )}
      </div>
      <div className="lesson-body">
        <h2 className="lesson-title">{lesson.title}</h2>
        <p className="lesson-step-title">
          Step {step + 1} of {lesson.steps.length}: {lesson.steps[step]?.title}
        </p>
        <div className="lesson-text" dangerouslySetInnerHTML={{ __html: html }} />
        <div className="lesson-nav">
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

        <section className="lesson-check" aria-label="Check">
          <Button
           
            primary
            onClick={() => void lessons.check()}
            disabled={!running || outcome?.kind === 'checking'}
            title={running ? 'Start the lesson’s workload and judge what your program does' : 'Press Run first: the check watches your running program'}
          >
            {outcome?.kind === 'checking' ? 'Checking…' : 'Check'}
          </Button>
          {!running && <span className="hint">Press Run first: the check watches your running program.</span>}
          {outcome?.kind === 'result' && (
            <p className={outcome.pass ? 'check-result pass' : 'check-result fail'} role="status" data-testid="check-result">
              {outcome.pass ? '✓ Passed. ' : '✕ Not yet. '}
              {outcome.message}
            </p>
          )}
          {outcome?.kind === 'error' && (
            <p className="check-result fail" role="status" data-testid="check-result">
              {outcome.message}
            </p>
          )}
        </section>

        {lesson.hints.length > 0 && (
          <section className="lesson-hints" aria-label="Hints">
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
              <button type="button" className="link-button" onClick={lessons.revealHint}>
                {unlocked ? 'Show another hint' : 'Show a hint'}
              </button>
            )}
            <p className="hint">Each check that does not pass unlocks the next hint.</p>
          </section>
        )}
      </div>
    </div>
  );
}
