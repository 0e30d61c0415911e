// Needs: root and a kernel that loads BPF (starts the backend, which loads programs).
// Workshop rooms against the real kernel: a participant passes lesson 1, the
// instructor's board shows it, a raised hand, a read-only view and a push,
// and the room is still there after the backend restarts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Participant, ServerMessage } from '../../protocol/messages.ts';
import { PlaygroundConnection } from '../cli/connection.ts';
import { loadCourses } from '../lessons/course.ts';
import { refusalOf, startTestBackend } from './harness.ts';

type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
const is =
  <T extends ServerMessage['type']>(type: T, match: (m: Of<T>) => boolean = () => true) =>
  (m: ServerMessage): m is Of<T> =>
    m.type === type && match(m as Of<T>);

/** The newest board that satisfies `match`, waiting for it. */
async function boardWhere(instructor: PlaygroundConnection, match: (participants: Participant[]) => boolean): Promise<Participant[]> {
  const board = await instructor.waitFor(
    is('room_board', (m) => match(m.participants)),
    10_000,
  );
  assert.ok(board, 'the board shows the change');
  return board.participants;
}

test('a room: join, pass lesson 1, raise a hand, be viewed, get a push, survive a restart', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'playground-rooms-'));
  const lesson = loadCourses()[0]!.lessons[0]!;
  const first = await startTestBackend((config) => {
    config.dataDir = dataDir;
  });
  let code: string;
  let instructorKey: string;
  let participantId: string;
  let participantKey: string;
  try {
    const instructor = await PlaygroundConnection.open(first.url, 'test');
    const created = await instructor.request({ type: 'room_create', title: 'Friday workshop' });
    assert.ok(created.ok && created.key, JSON.stringify(created));
    assert.match(created.code, /^[A-HJKMNP-Z2-9]{6}$/);
    code = created.code;
    instructorKey = created.key;

    const participant = await PlaygroundConnection.open(first.url, 'test');
    assert.match(refusalOf(await participant.request({ type: 'room_join', code: 'ZZZZZZ', name: 'Ada' }))?.message ?? '', /no room with the code "ZZZZZZ"/);
    const joined = await participant.request({ type: 'room_join', code: code.toLowerCase(), name: 'Ada' });
    assert.ok(joined.ok && joined.participantId && joined.key, JSON.stringify(joined));
    participantId = joined.participantId;
    participantKey = joined.key;
    await boardWhere(instructor, (p) => p.some((x) => x.name === 'Ada' && x.connected));

    // The participant opens lesson 1, writes the solution, runs it and passes the check.
    assert.equal((await participant.request({ type: 'room_update', lesson: lesson.lesson.name, step: 2, files: lesson.solution })).ok, true);
    const runId = participant.send({ type: 'run', files: lesson.solution, seeds: lesson.lesson.seeds });
    assert.ok(
      await participant.waitFor(
        is('run_state', (m) => m.runId === runId && m.state === 'running'),
        60_000,
      ),
    );
    const verdict = await participant.request({ type: 'check', lesson: lesson.lesson.name }, 60_000);
    assert.ok(verdict.ok, JSON.stringify(verdict));
    assert.equal(verdict.pass, true, verdict.message);
    const passed = await boardWhere(instructor, (p) => p[0]?.passed.includes(lesson.lesson.name) ?? false);
    assert.equal(passed[0]!.lastRun?.state, 'running');
    assert.equal(passed[0]!.step, 2);

    assert.equal((await participant.request({ type: 'room_hand', raised: true })).ok, true);
    await boardWhere(instructor, (p) => p[0]?.hand === true);

    // Read-only view: the files and the lines the participant's program printed.
    assert.equal((await instructor.request({ type: 'room_view', participantId })).ok, true);
    const view = await instructor.waitFor(
      is('participant_view', (m) => !m.appended),
      10_000,
    );
    assert.deepEqual(view?.files, lesson.solution);
    assert.ok(
      view!.trace.some((l) => /hello/i.test(l.text)),
      'the view has the participant’s output',
    );
    // A participant cannot push or view.
    assert.equal((await participant.request({ type: 'room_push', lesson: lesson.lesson.name })).ok, false);

    assert.equal((await instructor.request({ type: 'room_push', lesson: 'no-such-lesson' })).ok, false);
    // A lesson of the second course is pushed by its name, like one of the first.
    const second = loadCourses()[1]!.lessons[0]!.lesson.name;
    assert.equal((await instructor.request({ type: 'room_push', lesson: second })).ok, true);
    assert.equal((await participant.waitFor(is('room_pushed'), 10_000))?.push.lesson, second);
    const mark = participant.inbox.length;
    assert.equal((await instructor.request({ type: 'room_push', lesson: lesson.lesson.name })).ok, true);
    const pushed = await participant.waitFor(is('room_pushed'), 10_000, mark);
    assert.equal(pushed?.push.lesson, lesson.lesson.name);
    await participant.request({ type: 'stop' });
    participant.close();
    instructor.close();
  } finally {
    first.close();
  }

  const second = await startTestBackend((config) => {
    config.dataDir = dataDir;
  });
  try {
    const instructor = await PlaygroundConnection.open(second.url, 'test');
    assert.equal((await instructor.request({ type: 'room_instructor', code, key: 'not-the-key' })).ok, false);
    const back = await instructor.request({ type: 'room_instructor', code, key: instructorKey });
    assert.equal(back.ok && back.title, 'Friday workshop');
    const board = await boardWhere(instructor, (p) => p.length === 1);
    assert.deepEqual(
      { name: board[0]!.name, passed: board[0]!.passed, hand: board[0]!.hand, connected: board[0]!.connected },
      { name: 'Ada', passed: [lesson.lesson.name], hand: true, connected: false },
    );

    const participant = await PlaygroundConnection.open(second.url, 'test');
    const again = await participant.request({ type: 'room_join', code, name: 'Ada', rejoin: { participantId, key: participantKey } });
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.participantId, participantId, 'the same place in the room');
    assert.equal(again.pushed?.lesson, lesson.lesson.name, 'a late joiner gets the last push');
    await boardWhere(instructor, (p) => p.length === 1 && p[0]!.connected);
    assert.equal((await instructor.request({ type: 'room_lower_hand', participantId })).ok, true);
    assert.ok(await participant.waitFor(is('room_hand_lowered'), 10_000));
    await boardWhere(instructor, (p) => p[0]?.hand === false);
    participant.close();
    instructor.close();
  } finally {
    second.close();
  }
});

test('room updates are rate-limited per session, so a script cannot hammer the store', async () => {
  const backend = await startTestBackend();
  try {
    const instructor = await PlaygroundConnection.open(backend.url, 'test');
    const created = await instructor.request({ type: 'room_create' });
    assert.ok(created.ok);
    const participant = await PlaygroundConnection.open(backend.url, 'test');
    assert.equal((await participant.request({ type: 'room_join', code: created.code, name: 'Bob' })).ok, true);
    const ids = Array.from({ length: 60 }, (_, i) => participant.send({ type: 'room_hand', raised: i % 2 === 0 }));
    const replies = await Promise.all(
      ids.map((id) =>
        participant.waitFor(
          is('reply', (m) => m.id === id),
          10_000,
        ),
      ),
    );
    const limited = replies.filter((r) => r && !r.ok && r.error.code === 'rate_limited').length;
    assert.ok(limited > 0 && limited < 60, `${limited} of 60 refused`);
    participant.close();
    instructor.close();
  } finally {
    backend.close();
  }
});
