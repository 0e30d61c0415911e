import { useCallback, useState } from 'react';
import { z } from 'zod';
import type { Course, Lesson, WorkloadFacts } from '../../../protocol/messages.ts';
import type { PlaygroundClient } from '../connection/playground-client.ts';
import { usePerConnection } from '../connection/use-per-connection.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { usePreference } from '../../common/use-preference.ts';
import { courseOf } from './courses.ts';

// Lessons are named the same across courses and over time, so progress saved before there were courses still applies.
const progressSchema = z.object({
  current: z.string().nullable(),
  /** The course the course list shows; absent (the first course) in progress saved before there were two. */
  course: z.string().nullable().optional(),
  /** The step each lesson was left at. */
  steps: z.record(z.string(), z.number().int().min(0)),
  passed: z.array(z.string()),
  /** Failed checks per lesson: each one unlocks the next hint. */
  failures: z.record(z.string(), z.number().int().min(0)),
});
export type LessonProgress = z.infer<typeof progressSchema>;
const fetchCourses = (client: PlaygroundClient) => client.courses();

const NO_PROGRESS: LessonProgress = { current: null, steps: {}, passed: [], failures: {} };

export type CheckOutcome = { kind: 'checking' } | { kind: 'result'; pass: boolean; message: string; facts: WorkloadFacts } | { kind: 'error'; message: string };

export interface LessonsHandle {
  /** Every course, in the server's order; null until they arrive. */
  courses: Course[] | null;
  /** The course shown: the open lesson's, else the one picked, else the first. */
  course: Course | null;
  lesson: Lesson | null;
  progress: LessonProgress;
  step: number;
  outcome: CheckOutcome | null;
  open(name: string): void;
  /** Back to the list of the open lesson's course. */
  close(): void;
  /** Shows another course's list. */
  pickCourse(name: string): void;
  setStep(step: number): void;
  check(): Promise<void>;
  /** One more hint, without failing a check first. */
  revealHint(): void;
}

/**
 * The courses from the server and where this browser is in them: the course
 * shown, the open lesson, its step, which lessons passed, and how many hints
 * are unlocked. Progress is kept in localStorage, so a reload or a new
 * session resumes it.
 */
export function useLessons(handle: ClientHandle): LessonsHandle {
  const courses = usePerConnection(handle, fetchCourses);
  const { client } = handle;
  const [progress, setProgress] = usePreference('lesson-progress', progressSchema, NO_PROGRESS);
  const [outcome, setOutcome] = useState<CheckOutcome | null>(null);

  const lessonCourse = courseOf(courses, progress.current);
  const course = lessonCourse ?? courses?.find((c) => c.name === progress.course) ?? courses?.[0] ?? null;
  const lesson = lessonCourse?.lessons.find((l) => l.name === progress.current) ?? null;
  const step = lesson ? Math.min(progress.steps[lesson.name] ?? 0, lesson.steps.length - 1) : 0;

  const open = useCallback(
    (name: string) => {
      setOutcome(null);
      setProgress({ ...progress, current: name, course: courseOf(courses, name)?.name ?? progress.course });
    },
    [courses, progress, setProgress],
  );
  const close = useCallback(() => setProgress({ ...progress, current: null, course: course?.name ?? null }), [course, progress, setProgress]);
  const pickCourse = useCallback((name: string) => setProgress({ ...progress, current: null, course: name }), [progress, setProgress]);
  const setStep = useCallback(
    (next: number) => {
      if (lesson) setProgress({ ...progress, steps: { ...progress.steps, [lesson.name]: next } });
    },
    [lesson, progress, setProgress],
  );
  const revealHint = useCallback(() => {
    if (lesson) setProgress({ ...progress, failures: { ...progress.failures, [lesson.name]: (progress.failures[lesson.name] ?? 0) + 1 } });
  }, [lesson, progress, setProgress]);

  const check = useCallback(async () => {
    if (!client || !lesson) return;
    setOutcome({ kind: 'checking' });
    const result = await client.check(lesson.name);
    if (!result.ok) {
      setOutcome({ kind: 'error', message: result.error.message });
      return;
    }
    setOutcome({ kind: 'result', pass: result.pass, message: result.message, facts: result.facts });
    const name = lesson.name;
    setProgress(
      result.pass
        ? { ...progress, passed: progress.passed.includes(name) ? progress.passed : [...progress.passed, name] }
        : { ...progress, failures: { ...progress.failures, [name]: (progress.failures[name] ?? 0) + 1 } },
    );
  }, [client, lesson, progress, setProgress]);

  return { courses, course, lesson, progress, step, outcome, open, close, pickCourse, setStep, check, revealHint };
}
