import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadCourses } from './course.ts';

/** A lesson folder with the least a lesson needs. */
function writeLesson(dir: string, extra: Record<string, unknown> = {}): void {
  for (const part of ['starter', 'solution']) mkdirSync(path.join(dir, part), { recursive: true });
  writeFileSync(path.join(dir, 'starter', 'prog.bpf.c'), '// starter\n');
  writeFileSync(path.join(dir, 'solution', 'prog.bpf.c'), '// solution\n');
  writeFileSync(path.join(dir, 'lesson.md'), '# A lesson\n\n## One\n\nText.\n\n## Two\n\nMore.\n');
  writeFileSync(
    path.join(dir, 'lesson.json'),
    JSON.stringify({
      title: path.basename(dir),
      summary: 's',
      hints: ['h'],
      workload: { kind: 'exec', count: [1, 2] },
      check: { kind: 'trace', from: 'workload', contains: 'x', atLeast: 1 },
      ...extra,
    }),
  );
}

function writeCourses(courses: Record<string, string[]>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'courses-'));
  writeFileSync(path.join(root, 'courses.json'), JSON.stringify({ courses: Object.keys(courses) }));
  for (const [name, lessons] of Object.entries(courses)) {
    mkdirSync(path.join(root, name));
    writeFileSync(path.join(root, name, 'course.json'), JSON.stringify({ title: name.toUpperCase(), description: 'd', lessons }));
    for (const lesson of lessons) writeLesson(path.join(root, name, lesson), lesson.startsWith('v-') ? { starterRejectedAs: 'null_deref' } : {});
  }
  return root;
}

test('courses load in the order courses.json names them, each named by its folder', () => {
  const courses = loadCourses(writeCourses({ second: ['v-1', 'v-2'], first: ['a-1'] }));
  assert.deepEqual(
    courses.map((c) => [c.name, c.title, c.lessons.map((l) => [l.lesson.name, l.starterRejectedAs])]),
    [
      [
        'second',
        'SECOND',
        [
          ['v-1', 'null_deref'],
          ['v-2', 'null_deref'],
        ],
      ],
      ['first', 'FIRST', [['a-1', null]]],
    ],
  );
});

test('two courses may not share a lesson name: checks, rooms and saved progress name lessons alone', () => {
  const root = writeCourses({ one: ['a-1'], two: ['b-1'] });
  mkdirSync(path.join(root, 'two', 'a-1'));
  writeLesson(path.join(root, 'two', 'a-1'));
  writeFileSync(path.join(root, 'two', 'course.json'), JSON.stringify({ title: 'Two', description: 'd', lessons: ['b-1', 'a-1'] }));
  assert.throws(() => loadCourses(root), {
    message: 'The lesson name "a-1" is used by both one and two: lesson folders need names unique across courses.',
  });
});
