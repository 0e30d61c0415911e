// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// The bundled courses against the real kernel: every solution passes its check,
// every starter does not (the second course's are rejected by the verifier, each
// explained as its lesson intends), and the CLI's `lesson check` says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { PlaygroundConnection } from '../cli/connection.ts';
import { checkLesson, checkStarter } from '../cli/lesson-command.ts';
import { COURSES_DIR, loadCourses } from '../lessons/course.ts';
import { ROOT } from '../config.ts';
import { refusalOf, startTestBackend } from './harness.ts';

const courses = loadCourses();
const lessons = courses.flatMap((c) => c.lessons);
const verifierCourse = courses.find((c) => c.name === 'make-the-verifier-happy')!;

test('each course has at least six lessons, each with steps, hints and a workload', () => {
  assert.deepEqual(
    courses.map((c) => c.name),
    ['ebpf-from-zero', 'make-the-verifier-happy'],
  );
  for (const course of courses) {
    assert.ok(course.lessons.length >= 6, course.name);
    for (const { lesson } of course.lessons) {
      assert.ok(lesson.steps.length >= 2, `${lesson.name} has steps`);
      assert.ok(lesson.hints.length >= 2, `${lesson.name} has hints, from a nudge to the answer`);
    }
  }
  assert.equal(new Set(lessons.map((l) => l.lesson.name)).size, lessons.length, 'lesson names are unique across courses');
});

test('every lesson of "Make the verifier happy" names how the verifier rejects its starter, each a class of its own', () => {
  const classes = verifierCourse.lessons.map((l) => l.starterRejectedAs);
  assert.ok(
    classes.every((c) => c !== null && c !== 'other'),
    JSON.stringify(classes),
  );
  assert.equal(new Set(classes).size, classes.length);
});

test("every solution passes its check and every starter fails it, on the real kernel; the second course's starters are rejected by the verifier as intended", async () => {
  const backend = await startTestBackend((config) => {
    // Two Runs and a check per lesson, each spending the Run budget.
    config.limits.runsPerWindow = 100;
  });
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    for (const folder of lessons) {
      const solved = await checkLesson(connection, folder);
      assert.equal(solved.pass, true, `${folder.lesson.name} solution: ${solved.message}`);
      if (folder.starterRejectedAs) {
        const starter = await checkStarter(connection, folder);
        assert.equal(starter.pass, true, `${folder.lesson.name} starter: ${starter.message}`);
        continue;
      }
      const started = await checkLesson(connection, folder, folder.lesson.files);
      assert.equal(started.pass, false, `${folder.lesson.name} starter should not pass: ${started.message}`);
      assert.ok(started.message.length > 20, started.message);
    }
  } finally {
    connection.close();
    backend.close();
  }
});

test('a check needs a running program, and a bundled lesson of either course by name works from the page', async () => {
  const backend = await startTestBackend();
  const connection = await PlaygroundConnection.open(backend.url, 'test');
  try {
    const refused = await connection.request({ type: 'check', lesson: lessons[0]!.lesson.name });
    assert.equal(refusalOf(refused)?.code, 'not_running');

    const served = await connection.request({ type: 'get_lessons' });
    assert.ok(served.ok);
    assert.deepEqual(
      served.courses.map((c) => [c.name, c.title, c.lessons.map((l) => l.name)]),
      courses.map((c) => [c.name, c.title, c.lessons.map((l) => l.lesson.name)]),
    );
    assert.ok(!JSON.stringify(served).includes('solution'), 'solutions stay on the server');
    assert.ok(!JSON.stringify(served).includes('starterRejectedAs'), 'so does what the starter is rejected as');

    // The second course's lessons are checked by name like the first's.
    const folder = verifierCourse.lessons[0]!;
    const { outcome } = await connection.startRun(folder.solution, folder.lesson.seeds);
    assert.equal(outcome?.type === 'run_state' && outcome.state, 'running', JSON.stringify(outcome));
    const verdict = await connection.request({ type: 'check', lesson: folder.lesson.name }, 60_000);
    assert.ok(verdict.ok && verdict.pass, JSON.stringify(verdict));
    await connection.request({ type: 'stop' });

    const unknown = await connection.request({ type: 'check', lesson: 'no-such-lesson' });
    assert.match(refusalOf(unknown)?.message ?? '', /no lesson named "no-such-lesson"/);
  } finally {
    connection.close();
    backend.close();
  }
});

test('ebpf-playground lesson check runs lesson folders against a server, starters of the second course included', async () => {
  const backend = await startTestBackend();
  try {
    const first = path.join(COURSES_DIR, courses[0]!.name, courses[0]!.lessons[0]!.lesson.name);
    const second = path.join(COURSES_DIR, verifierCourse.name, verifierCourse.lessons[0]!.lesson.name);
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/cli/ebpf-playground.ts'), 'lesson', 'check', first, second, '--json', '--server', backend.url],
      { cwd: ROOT },
    );
    const report = JSON.parse(stdout) as {
      ok: boolean;
      lessons: { lesson: string; pass: boolean; facts: { count: number }; starter?: { pass: boolean; message: string } }[];
    };
    assert.equal(report.ok, true, stdout);
    assert.deepEqual(
      report.lessons.map((l) => [l.lesson, l.pass]),
      [
        [courses[0]!.lessons[0]!.lesson.name, true],
        [verifierCourse.lessons[0]!.lesson.name, true],
      ],
    );
    assert.ok(report.lessons[0]!.facts.count >= 1);
    assert.equal(report.lessons[0]!.starter, undefined, 'the first course does not start from rejected programs');
    assert.deepEqual(report.lessons[1]!.starter, { pass: true, message: 'rejected by the verifier as null_deref, as intended.' });
  } finally {
    backend.close();
  }
});
