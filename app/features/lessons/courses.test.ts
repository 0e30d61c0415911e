import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Course, Lesson } from '../../../protocol/messages.ts';
import { courseOf, coursePasses, lessonNamed } from './courses.ts';

const lesson = (name: string): Lesson => ({
  name,
  title: name.toUpperCase(),
  summary: '',
  steps: [{ title: 'Introduction', markdown: 'text' }],
  hints: [],
  files: [{ name: 'prog.bpf.c', content: '' }],
  seeds: [],
  workload: { kind: 'exec', count: [1, 2] },
});
const COURSES: Course[] = [
  { name: 'first', title: 'First', description: '', lessons: [lesson('01-a'), lesson('02-b'), lesson('03-c')] },
  { name: 'second', title: 'Second', description: '', lessons: [lesson('x-1'), lesson('x-2')] },
];

test('a lesson is found in whichever course holds it', () => {
  assert.equal(courseOf(COURSES, 'x-2')?.name, 'second');
  assert.equal(courseOf(COURSES, '02-b')?.name, 'first');
  assert.equal(lessonNamed(COURSES, 'x-1')?.title, 'X-1');
  assert.equal(courseOf(COURSES, 'gone'), undefined);
  assert.equal(lessonNamed(COURSES, null), undefined);
  assert.equal(lessonNamed(null, '01-a'), undefined);
});

test("a room's board counts passes within the open lesson's course, or over all courses without one", () => {
  const passed = ['01-a', '03-c', 'x-2'];
  assert.deepEqual(coursePasses(COURSES, '02-b', passed), { passed: 2, total: 3, course: COURSES[0] });
  assert.deepEqual(coursePasses(COURSES, 'x-1', passed), { passed: 1, total: 2, course: COURSES[1] });
  assert.deepEqual(coursePasses(COURSES, null, passed), { passed: 3, total: 5, course: null });
  // A lesson name the server no longer has (a renamed lesson) counts like no lesson open.
  assert.deepEqual(coursePasses(COURSES, 'gone', ['gone']), { passed: 0, total: 5, course: null });
});
