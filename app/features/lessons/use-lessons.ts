import { useCallback, useState } from 'react';
import { z } from 'zod';
import type { Lesson, WorkloadFacts } from '../../../protocol/messages.ts';
import type { PlaygroundClient } from '../connection/playground-client.ts';
import { usePerConnection } from '../connection/use-per-connection.ts';
import type { ClientHandle } from '../connection/use-playground-client.ts';
import { usePreference } from '../../common/use-preference.ts';

export interface Course {
  title: string;
  description: string;
  lessons: Lesson[];
}

const progressSchema = z.object({
  current: z.string().nullable(),
  /** The step each lesson was left at. */
  steps: z.record(z.string(), z.number().int().min(0)),
  passed: z.array(z.string()),
  /** Failed checks per lesson: each one unlocks the next hint. */
  failures: z.record(z.string(), z.number().int().min(0)),
});
export type LessonProgress = z.infer<typeof progressSchema>;
const fetchCourse = (client: PlaygroundClient) => client.lessons();

const NO_PROGRESS: LessonProgress = { current: null, steps: {}, passed: [], failures: {} };

export type CheckOutcome = { kind: 'checking' } | { kind: 'result'; pass: boolean; message: string; facts: WorkloadFacts } | { kind: 'error'; message: string };

export interface LessonsHandle {
  course: Course | null;
  lesson: Lesson | null;
  progress: LessonProgress;
  step: number;
  outcome: CheckOutcome | null;
  open(name: string): void;
  close(): void;
  setStep(step: number): void;
  check(): Promise<void>;
  /** One more hint, without failing a check first. */
  revealHint(): void;
}

/**
 * The course from the server and where this browser is in it: the open
 * lesson, its step, which lessons passed, and how many hints are unlocked.
 * Progress is kept in localStorage, so a reload or a new session resumes it.
 */
export function useLessons(handle: ClientHandle): LessonsHandle {
  const course = usePerConnection(handle, fetchCourse);
  const { client } = handle;
  const [progress, setProgress] = usePreference('lesson-progress', progressSchema, NO_PROGRESS);
  const [outcome, setOutcome] = useState<CheckOutcome | null>(null);

  const lesson = course?.lessons.find((l) => l.name === progress.current) ?? null;
  const step = lesson ? Math.min(progress.steps[lesson.name] ?? 0, lesson.steps.length - 1) : 0;

  const open = useCallback(
    (name: string) => {
      setOutcome(null);
      setProgress({ ...progress, current: name });
    },
    [progress, setProgress],
  );
  const close = useCallback(() => setProgress({ ...progress, current: null }), [progress, setProgress]);
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

  return { course, lesson, progress, step, outcome, open, close, setStep, check, revealHint };
}
