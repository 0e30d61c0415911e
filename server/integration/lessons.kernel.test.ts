// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// The bundled course against the real kernel: every solution passes its check,
// every starter does not, and the CLI's `lesson check` says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { PlaygroundConnection } from '../cli/connection.ts';
import { checkLesson } from '../cli/lesson-command.ts';
import { COURSE_DIR, loadCourse } from '../lessons/course.ts';
import { ROOT } from '../config.ts';
import { refusalOf, startTestBackend } from './harness.ts';

const course = loadCourse();

test('the course has at least six lessons, each with steps, hints and a workload', () => {
  assert.ok(course.lessons.length >= 6);
  for (const { lesson } of course.lessons) {
    assert.ok(lesson.steps.length >= 2, `${lesson.name} has steps`);
    assert.ok(lesson.hints.length >= 1, `${lesson.name} has hints`);
  }
});

test('every solution passes its check and every starter fails it, on the real kernel', async () => {
  const backend = await startTestBackend((config) => {
    // Two checks per lesson start a workload each, on top of the Runs.
    config.limits.runsPerWindow = 100;
  });
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    for (const folder of course.lessons) {
      const solved = await checkLesson(connection, folder);
      assert.equal(solved.pass, true, `${folder.lesson.name} solution: ${solved.message}`);
      const started = await checkLesson(connection, folder, folder.lesson.files);
      assert.equal(started.pass, false, `${folder.lesson.name} starter should not pass: ${started.message}`);
      assert.ok(started.message.length > 20, started.message);
    }
  } finally {
    connection.close();
    backend.close();
  }
});

test('a check needs a running program, and a bundled lesson by name works from the page', async () => {
  const backend = await startTestBackend();
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const refused = await connection.request({ type: 'check', lesson: course.lessons[0]!.lesson.name });
    assert.equal(refusalOf(refused)?.code, 'not_running');

    const lessons = await connection.request({ type: 'get_lessons' });
    assert.ok(lessons.ok);
    assert.equal(lessons.lessons.length, course.lessons.length);
    assert.ok(!JSON.stringify(lessons).includes('solution'), 'solutions stay on the server');

    const unknown = await connection.request({ type: 'check', lesson: 'no-such-lesson' });
    assert.match(refusalOf(unknown)?.message ?? '', /no lesson named "no-such-lesson"/);
  } finally {
    connection.close();
    backend.close();
  }
});

test('ebpf-playground lesson check runs a lesson folder against a server', async () => {
  const backend = await startTestBackend();
  try {
    const dir = path.join(COURSE_DIR, course.lessons[0]!.lesson.name);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/cli/ebpf-playground.ts'), 'lesson', 'check', dir, '--json', '--server', backend.url],
      { cwd: ROOT },
    );
    const report = JSON.parse(stdout) as { ok: boolean; lessons: { lesson: string; pass: boolean; facts: { count: number } }[] };
    assert.equal(report.ok, true, stdout);
    assert.equal(report.lessons[0]!.pass, true);
    assert.ok(report.lessons[0]!.facts.count >= 1);
  } finally {
    backend.close();
  }
});
