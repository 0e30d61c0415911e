import type { Course, Lesson } from '../../../protocol/messages.ts';

/** The course that holds the lesson of that name. Lesson names are unique across courses. */
export function courseOf(courses: Course[] | null, lessonName: string | null): Course | undefined {
  return lessonName === null ? undefined : courses?.find((c) => c.lessons.some((l) => l.name === lessonName));
}

/** The lesson of that name, in whichever course holds it. */
export function lessonNamed(courses: Course[] | null, lessonName: string | null): Lesson | undefined {
  return courseOf(courses, lessonName)?.lessons.find((l) => l.name === lessonName);
}

/**
 * A learner's passes as a room's board counts them: within the course of the
 * lesson they have open ("2 of 6"), or over every course when none is open.
 */
export function coursePasses(courses: Course[], lessonName: string | null, passed: string[]): { passed: number; total: number; course: Course | null } {
  const course = courseOf(courses, lessonName) ?? null;
  const lessons = course ? course.lessons : courses.flatMap((c) => c.lessons);
  const names = new Set(lessons.map((l) => l.name));
  return { passed: passed.filter((name) => names.has(name)).length, total: lessons.length, course };
}
