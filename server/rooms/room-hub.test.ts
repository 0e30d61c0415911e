// Needs: nothing (no root, no kernel). The hub with its real store (SQLite in a temp dir);
// sessions are fakes that keep what they were sent, and the board's tick runs on mocked timers.
import { afterEach, beforeEach, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOM_CODE, type PlaygroundError, type RoomPush, type ServerMessage, type TraceLine } from '../../protocol/messages.ts';
import { RoomHub, type RoomMember, type RoomRequest } from './room-hub.ts';
import { RoomStore } from './room-store.ts';

const BOARD_TICK_MS = 200;
const LESSONS = ['01-hello-tracepoint', '02-maps-from-user-space'];

/** A session as the hub sees it, keeping every message it was sent. */
class FakeSession implements RoomMember {
  readonly inbox: ServerMessage[] = [];
  private requests = 0;
  constructor(readonly id: string) {}
  deliver(message: ServerMessage): void {
    this.inbox.push(message);
  }
  /** Messages of one type, taken out of the inbox. */
  take<T extends ServerMessage['type']>(type: T): Extract<ServerMessage, { type: T }>[] {
    const taken = this.inbox.filter((m) => m.type === type) as Extract<ServerMessage, { type: T }>[];
    this.inbox.splice(0, this.inbox.length, ...this.inbox.filter((m) => m.type !== type));
    return taken;
  }
  nextId(): string {
    return `${this.id}-${++this.requests}`;
  }
}

let dir: string;
let file: string;
let store: RoomStore;
let hub: RoomHub;

beforeEach((t) => {
  // Date too: joinedAt orders the board, and a push records when it was made.
  (t as TestContext).mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_700_000_000_000 });
  dir = mkdtempSync(path.join(tmpdir(), 'room-hub-test-'));
  file = path.join(dir, 'playground.db');
  store = new RoomStore(file);
  hub = new RoomHub(store, () => LESSONS, 200);
});
afterEach(() => {
  hub.close();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Request<T extends RoomRequest['type']> = Omit<Extract<RoomRequest, { type: T }>, 'id' | 'type'>;
/** Sends a request as the session does: the reply first, then what follows it. */
function send<T extends RoomRequest['type']>(member: FakeSession, type: T, fields: Request<T>): void {
  const result = hub.handle(member, { type, id: member.nextId(), ...fields } as RoomRequest);
  if ('reply' in result) {
    member.deliver(result.reply);
    result.after();
  } else member.deliver(result);
}

/** A reply with every field a room reply may have, for asserting on any of them. */
interface RoomAnswer {
  type: 'reply';
  id: string;
  ok: boolean;
  to?: string;
  error?: PlaygroundError;
  role?: string;
  code?: string;
  title?: string;
  key?: string;
  participantId?: string;
  pushed?: RoomPush | null;
}

/** The one reply a request got. */
function answer(member: FakeSession): RoomAnswer {
  const answers = member.take('reply');
  assert.equal(answers.length, 1, JSON.stringify(answers));
  return answers[0] as RoomAnswer;
}

function openRoom(t: TestContext, title = 'eBPF 101'): { instructor: FakeSession; code: string; key: string } {
  const instructor = new FakeSession('instructor');
  send(instructor, 'room_create', { title });
  const reply = answer(instructor);
  assert.ok(reply.ok && reply.code && reply.key, JSON.stringify(reply));
  instructor.take('room_board');
  t.mock.timers.tick(1);
  return { instructor, code: reply.code, key: reply.key };
}

function join(t: TestContext, code: string, name: string): { session: FakeSession; participantId: string; key: string } {
  const session = new FakeSession(name);
  send(session, 'room_join', { code, name });
  const reply = answer(session);
  assert.ok(reply.ok && reply.participantId && reply.key, JSON.stringify(reply));
  // A millisecond apart, so the board's order (by join time) is theirs.
  t.mock.timers.tick(1);
  return { session, participantId: reply.participantId, key: reply.key };
}

const line = (text: string, i = 0): TraceLine => ({ ts: i, cpu: 0, pid: 100 + i, comm: 'cat', text });
const boardNames = (board: Extract<ServerMessage, { type: 'room_board' }>) =>
  board.participants.map((p) => `${p.name}${p.connected ? '' : ' (gone)'}${p.hand ? ' ✋' : ''}`);

describe('opening and joining a room', () => {
  test('the instructor gets a code people can type, a key, and the empty board at once', () => {
    const instructor = new FakeSession('instructor');
    send(instructor, 'room_create', { title: '  ' });
    assert.deepEqual(
      instructor.inbox.map((m) => m.type),
      ['reply', 'room_board'],
    );
    const reply = answer(instructor);
    assert.equal(reply!.ok, true);
    assert.equal(reply!.role, 'instructor');
    assert.equal(reply!.title, 'Workshop', 'a blank title gets the default');
    assert.match(reply!.code!, ROOM_CODE);
    assert.equal(reply!.key!.length, 24);
    assert.equal(reply!.pushed, null);
    assert.deepEqual(instructor.take('room_board'), [{ type: 'room_board', code: reply!.code, participants: [] }]);
  });

  test('a code typed in lower case with spaces finds the room; a wrong one is named in the sentence', (t) => {
    const { code } = openRoom(t);
    const alice = new FakeSession('alice');
    send(alice, 'room_join', { code: ` ${code.toLowerCase()} `, name: 'Alice' });
    const joined = answer(alice);
    assert.equal(joined.role, 'participant');

    const lost = new FakeSession('lost');
    send(lost, 'room_join', { code: 'nope', name: 'Lost' });
    assert.deepEqual(answer(lost), {
      type: 'reply',
      id: 'lost-1',
      ok: false,
      error: { code: 'bad_request', message: 'There is no room with the code "nope": check it with your instructor.' },
    });
  });

  test('joins within one tick come as one board, in the order people joined', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    join(t, code, 'Bob');
    send(alice.session, 'room_hand', { raised: true });
    assert.deepEqual(instructor.take('room_board'), [], 'nothing before the tick');

    t.mock.timers.tick(BOARD_TICK_MS);
    const boards = instructor.take('room_board');
    assert.equal(boards.length, 1);
    assert.deepEqual(boardNames(boards[0]!), ['Alice ✋', 'Bob']);
    t.mock.timers.tick(BOARD_TICK_MS * 5);
    assert.deepEqual(instructor.take('room_board'), [], 'no board without a change');
  });

  test('a reloaded tab takes its place back with its key; with a wrong key it is someone new', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    hub.leave(alice.session);

    const again = new FakeSession('alice-again');
    send(again, 'room_join', { code, name: 'Alice B.', rejoin: { participantId: alice.participantId, key: alice.key } });
    const back = answer(again);
    assert.equal(back.participantId, alice.participantId);

    const impostor = new FakeSession('impostor');
    send(impostor, 'room_join', { code, name: 'Mallory', rejoin: { participantId: alice.participantId, key: 'x'.repeat(24) } });
    const other = answer(impostor);
    assert.ok(other.participantId && other.participantId !== alice.participantId);

    t.mock.timers.tick(BOARD_TICK_MS);
    assert.deepEqual(boardNames(instructor.take('room_board').at(-1)!), ['Alice B.', 'Mallory']);
  });

  test('the instructor takes the room back with its key, and not without it', (t) => {
    const { code, key } = openRoom(t);
    const wrong = new FakeSession('wrong');
    send(wrong, 'room_instructor', { code, key: 'not-the-key' });
    const refused = answer(wrong);
    assert.deepEqual(refused.error, { code: 'bad_request', message: 'That room code and instructor key do not match a room.' });

    const back = new FakeSession('back');
    send(back, 'room_instructor', { code, key });
    const reply = answer(back);
    assert.equal(reply.role, 'instructor');
    assert.equal(back.take('room_board').length, 1, 'the board at once');
  });

  test('a participant who leaves stays on the board, shown as gone', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    t.mock.timers.tick(BOARD_TICK_MS);
    instructor.take('room_board');
    send(alice.session, 'room_leave', {});
    assert.deepEqual(answer(alice.session), { type: 'reply', id: 'Alice-2', ok: true, to: 'room_leave' });
    t.mock.timers.tick(BOARD_TICK_MS);
    assert.deepEqual(boardNames(instructor.take('room_board')[0]!), ['Alice (gone)']);
  });
});

describe('what the instructor does', () => {
  test('a push reaches every participant of the room and no one else, and a late joiner gets it with the answer', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    const elsewhere = openRoom(t, 'Another room');
    const carol = join(t, elsewhere.code, 'Carol');

    send(instructor, 'room_push', { lesson: LESSONS[1], seeds: [] });
    assert.equal(answer(instructor).ok, true);
    const at = Date.now();
    assert.deepEqual(alice.session.take('room_pushed'), [{ type: 'room_pushed', push: { lesson: LESSONS[1], at } }]);
    assert.deepEqual(carol.session.take('room_pushed'), []);
    assert.deepEqual(instructor.take('room_pushed'), []);

    const late = new FakeSession('late');
    send(late, 'room_join', { code, name: 'Late' });
    const reply = answer(late);
    assert.deepEqual(reply.pushed, { lesson: LESSONS[1], at });
  });

  test('a push is refused in one sentence: not the instructor, neither or both of lesson and files, an unknown lesson', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    const files = [{ name: 'prog.bpf.c', content: 'int x;\n' }];
    const refusal = (member: FakeSession) => {
      const reply = answer(member);
      assert.equal(reply.ok, false);
      return reply.error?.message;
    };
    send(alice.session, 'room_push', { lesson: LESSONS[0], seeds: [] });
    assert.equal(refusal(alice.session), 'Only the room’s instructor can push to everyone.');
    send(instructor, 'room_push', { seeds: [] });
    assert.equal(refusal(instructor), 'Push either a lesson or files.');
    send(instructor, 'room_push', { lesson: LESSONS[0], files, seeds: [] });
    assert.equal(refusal(instructor), 'Push either a lesson or files.');
    send(instructor, 'room_push', { lesson: '99-nope', seeds: [] });
    assert.equal(refusal(instructor), 'There is no lesson named "99-nope".');
    assert.deepEqual(alice.session.take('room_pushed'), [], 'nothing was pushed');
  });

  test('lowering a hand tells that participant alone, and the board shows it down', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    const bob = join(t, code, 'Bob');
    send(alice.session, 'room_hand', { raised: true });
    send(bob.session, 'room_hand', { raised: true });
    t.mock.timers.tick(BOARD_TICK_MS);
    assert.deepEqual(boardNames(instructor.take('room_board')[0]!), ['Alice ✋', 'Bob ✋']);

    send(instructor, 'room_lower_hand', { participantId: alice.participantId });
    assert.equal(answer(instructor).ok, true);
    assert.deepEqual(alice.session.take('room_hand_lowered'), [{ type: 'room_hand_lowered' }]);
    assert.deepEqual(bob.session.take('room_hand_lowered'), []);
    t.mock.timers.tick(BOARD_TICK_MS);
    assert.deepEqual(boardNames(instructor.take('room_board')[0]!), ['Alice', 'Bob ✋']);
  });

  test("the board shows each participant's lesson, step, passes and last Run", (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    send(alice.session, 'room_update', { lesson: LESSONS[0], step: 2 });
    hub.runMessage(alice.session, { type: 'run_state', runId: 1, state: 'compiling', stage: 'compile', timings: {} });
    hub.runMessage(alice.session, {
      type: 'run_state',
      runId: 1,
      state: 'error',
      stage: 'load',
      timings: {},
      error: { code: 'verifier_rejected', message: 'invalid mem access' },
    });
    const ranAt = Date.now();
    hub.passed(alice.session, LESSONS[0]!);
    hub.passed(alice.session, LESSONS[0]!);
    t.mock.timers.tick(BOARD_TICK_MS);
    const [board] = instructor.take('room_board');
    const { joinedAt, id, ...row } = board!.participants[0]!;
    assert.equal(id, alice.participantId);
    assert.equal(typeof joinedAt, 'number');
    assert.deepEqual(row, {
      name: 'Alice',
      connected: true,
      lesson: LESSONS[0],
      step: 2,
      passed: [LESSONS[0]],
      // The compiling state is not a result: only the error is kept.
      lastRun: { state: 'error', stage: 'load', message: 'invalid mem access', at: ranAt },
      hand: false,
    });
  });

  test('what the board holds outlives a restart; who is connected does not', (t) => {
    const { code, key } = openRoom(t);
    join(t, code, 'Alice');
    send(new FakeSession('x'), 'room_join', { code, name: 'Bob' });
    hub.close();
    store.close();

    store = new RoomStore(file);
    hub = new RoomHub(store, () => LESSONS, 200);
    const instructor = new FakeSession('instructor');
    send(instructor, 'room_instructor', { code, key });
    assert.equal(answer(instructor).ok, true);
    assert.deepEqual(boardNames(instructor.take('room_board')[0]!), ['Alice (gone)', 'Bob (gone)']);
  });
});

describe('the read-only view of one participant', () => {
  test('shows their files and the output they already had, then only the new lines as they come', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    const bob = join(t, code, 'Bob');
    const files = [{ name: 'hello.bpf.c', content: '// hello\n' }];
    send(alice.session, 'room_update', { files });
    hub.trace(alice.session, [line('before', 1)]);
    hub.trace(bob.session, [line('bob', 2)]);

    send(instructor, 'room_view', { participantId: alice.participantId });
    assert.deepEqual(
      instructor.inbox.map((m) => m.type),
      ['reply', 'participant_view'],
      'the reply, then the view',
    );
    answer(instructor);
    assert.deepEqual(instructor.take('participant_view'), [
      { type: 'participant_view', participantId: alice.participantId, name: 'Alice', files, lastRun: null, trace: [line('before', 1)], appended: false },
    ]);

    hub.trace(alice.session, [line('after', 3)]);
    hub.trace(bob.session, [line('bob again', 4)]);
    assert.deepEqual(
      instructor.take('participant_view').map((v) => [v.trace.map((l) => l.text), v.appended]),
      [[['after'], true]],
    );

    // New files: the whole view again, with the lines so far.
    const edited = [{ name: 'hello.bpf.c', content: '// hello, edited\n' }];
    send(alice.session, 'room_update', { files: edited });
    const [view] = instructor.take('participant_view');
    assert.deepEqual([view!.files, view!.trace.map((l) => l.text), view!.appended], [edited, ['before', 'after'], false]);

    send(instructor, 'room_view', { participantId: null });
    answer(instructor);
    hub.trace(alice.session, [line('unseen', 5)]);
    send(alice.session, 'room_update', { files });
    assert.deepEqual(instructor.take('participant_view'), [], 'a stopped view sends nothing');
  });

  test("carries where the participant's last Run failed, for the viewer to mark, until a Run works", (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    send(instructor, 'room_view', { participantId: alice.participantId });
    answer(instructor);
    instructor.take('participant_view');

    const undeclared = {
      file: 'hello.bpf.c',
      line: 7,
      column: 15,
      severity: 'error',
      message: "use of undeclared identifier 'nope'",
      source: 'clang',
    } as const;
    const warning = { ...undeclared, line: 3, severity: 'warning', message: 'unused variable' } as const;
    hub.runMessage(alice.session, { type: 'compiled', runId: 'r1', ok: false, diagnostics: [warning, undeclared], log: '' });
    hub.runMessage(alice.session, {
      type: 'run_state',
      runId: 'r1',
      state: 'error',
      stage: 'compile',
      timings: {},
      error: { code: 'compile_failed', message: 'The compile failed.' },
    });
    const [failedView] = instructor.take('participant_view');
    assert.deepEqual(failedView!.lastRun?.problems, [undeclared], 'the error, not the warning');

    // The next Run compiles and runs: the board no longer points at a line.
    hub.runMessage(alice.session, { type: 'compiled', runId: 'r2', ok: true, diagnostics: [warning], log: '' });
    hub.runMessage(alice.session, { type: 'run_state', runId: 'r2', state: 'running', stage: 'run', timings: {} });
    const [runningView] = instructor.take('participant_view');
    assert.equal(runningView!.lastRun?.state, 'running');
    assert.equal(runningView!.lastRun?.problems, undefined);

    // A failure of a Run that was replaced says nothing about the one that then ended.
    hub.runMessage(alice.session, { type: 'compiled', runId: 'r3', ok: false, diagnostics: [undeclared], log: '' });
    hub.runMessage(alice.session, {
      type: 'run_state',
      runId: 'r4',
      state: 'error',
      stage: 'attach',
      timings: {},
      error: { code: 'attach_failed', message: 'No program attached.' },
    });
    const [otherView] = instructor.take('participant_view');
    assert.deepEqual([otherView!.lastRun?.stage, otherView!.lastRun?.problems], ['attach', undefined]);
    t.mock.timers.tick(BOARD_TICK_MS);
    assert.equal(instructor.take('room_board').at(-1)!.participants[0]!.lastRun?.stage, 'attach');
  });

  test('keeps the newest 200 lines for an instructor who starts viewing late', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    hub.trace(
      alice.session,
      Array.from({ length: 150 }, (_, i) => line(`a${i}`, i)),
    );
    hub.trace(
      alice.session,
      Array.from({ length: 100 }, (_, i) => line(`b${i}`, 150 + i)),
    );
    send(instructor, 'room_view', { participantId: alice.participantId });
    const [view] = instructor.take('participant_view');
    assert.equal(view!.trace.length, 200);
    assert.deepEqual([view!.trace[0]!.text, view!.trace.at(-1)!.text], ['a50', 'b99']);
  });

  test('only the instructor of that room may view, and only someone in it', (t) => {
    const { instructor, code } = openRoom(t);
    const alice = join(t, code, 'Alice');
    const elsewhere = openRoom(t, 'Another room');
    const carol = join(t, elsewhere.code, 'Carol');

    send(alice.session, 'room_view', { participantId: alice.participantId });
    assert.equal(answer(alice.session).error?.message, 'Only the room’s instructor can view participants.');
    send(instructor, 'room_view', { participantId: carol.participantId });
    assert.equal(answer(instructor).error?.message, 'There is no such participant in this room.');
    assert.deepEqual(instructor.take('participant_view'), []);
  });

  test('a participant who is not in a room cannot update, raise a hand or be seen', () => {
    const stray = new FakeSession('stray');
    send(stray, 'room_update', { step: 1 });
    assert.equal(answer(stray).error?.message, 'Join a room first.');
    send(stray, 'room_hand', { raised: true });
    assert.equal(answer(stray).error?.message, 'Join a room first.');
    hub.trace(stray, [line('nobody sees this')]);
    hub.passed(stray, LESSONS[0]!);
    assert.deepEqual(stray.inbox, []);
  });
});
