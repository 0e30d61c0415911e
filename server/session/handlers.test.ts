// The request handlers, each with a fake session: what they answer, and what they refuse.
// No kernel here: a handler that needs a running program is asked without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { clientMessageSchema, type ClientMessage, type Reply } from '../../protocol/messages.ts';
import { configSchema } from '../config.ts';
import { bundledLessons } from '../lessons/course.ts';
import { ShareStore } from '../share/store.ts';
import type { SessionContext } from './context.ts';
import { handlers } from './handlers.ts';
import type { SessionDeps } from './session.ts';

function fakeSession(budget = 5): SessionContext & { spent: number } {
  const shares = new ShareStore(path.join(mkdtempSync(path.join(tmpdir(), 'handlers-')), 'shares.db'));
  const deps = { config: configSchema.parse({}), shares } as unknown as SessionDeps;
  const session = {
    deps,
    member: { id: 'member', deliver: () => {} },
    run: null,
    side: null,
    spent: 0,
    spendRunBudget: () => (session.spent++ < budget ? { ok: true as const } : { ok: false as const, retryAfterMs: 1500 }),
    spendRoomBudget: () => (session.spent++ < budget ? { ok: true as const } : { ok: false as const, retryAfterMs: 1500 }),
    startRun: () => assert.fail('no Run in these tests'),
    stopRun: async () => false,
    prepare: () => assert.fail('no compile in these tests'),
    watchRun: () => () => {},
  };
  return session;
}

async function ask(session: SessionContext, request: Record<string, unknown>): Promise<Reply> {
  const message = clientMessageSchema.parse({ id: 7, ...request }) as Exclude<ClientMessage, { type: 'hello' }>;
  const handler = handlers[message.type] as (s: SessionContext, m: typeof message) => Reply | Promise<Reply>;
  return handler(session, message);
}

const files = [{ name: 'prog.bpf.c', content: 'int x;' }];

test('every request but hello has a handler', () => {
  const types = clientMessageSchema.options.map((option) => option.shape.type.value);
  assert.deepEqual(
    types.filter((type) => type !== 'hello' && !(type in handlers)),
    [],
  );
});

test('share keeps the files under an id that get_share opens, and refuses a bad name', async () => {
  const session = fakeSession();
  const shared = await ask(session, { type: 'share', files, seeds: [{ map: 'm', key: 1, value: 2 }] });
  assert.ok(shared.ok && shared.to === 'share', JSON.stringify(shared));
  const opened = await ask(session, { type: 'get_share', shareId: shared.shareId });
  assert.ok(opened.ok && opened.to === 'get_share');
  assert.deepEqual(opened.files, files);
  assert.deepEqual(opened.seeds, [{ map: 'm', key: 1, value: 2 }]);
  const bad = await ask(session, { type: 'share', files: [{ name: '../x.c', content: '' }] });
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error.message : '', /is not a usable file name/);
  assert.deepEqual(await ask(session, { type: 'get_share', shareId: 'nope' }), {
    type: 'reply',
    id: 7,
    ok: false,
    error: { code: 'bad_request', message: 'There is no shared program "nope": check the link.' },
  });
});

test('a spent budget refuses shares, exports, checks and room requests alike', async () => {
  const session = fakeSession(0);
  for (const request of [{ type: 'share', files }, { type: 'room_create' }, { type: 'room_hand', raised: true }]) {
    const reply = await ask(session, request);
    assert.equal(!reply.ok && reply.error.code, 'rate_limited', request.type);
    assert.equal(!reply.ok && reply.error.retryAfterMs, 1500, `${request.type} says when to try again`);
  }
});

test('what needs a running program says so when none runs', async () => {
  const session = fakeSession();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ type: 'stop' }, /Nothing is running/],
    [{ type: 'inspect' }, /Press Run first/],
    [{ type: 'map_update', map: 'm', key: 1, value: 1 }, /while a program is loaded/],
    [{ type: 'map_delete', map: 'm', key: 1 }, /while a program is loaded/],
    [{ type: 'set_event_type', map: 'rb', typeName: null }, /Nothing is running/],
    [{ type: 'check', lesson: bundledLessons()[0]!.lesson.name }, /Press Run first/],
  ];
  for (const [request, sentence] of cases) {
    const reply = await ask(session, request);
    assert.ok(!reply.ok, request.type as string);
    assert.equal(reply.error.code, 'not_running');
    assert.match(reply.error.message, sentence);
  }
  // Nothing was spent on them.
  assert.equal(session.spent, 0);
});

test('a check names what is missing before it looks for a program', async () => {
  const reply = await ask(fakeSession(), { type: 'check', lesson: 'no-such-lesson' });
  assert.deepEqual(!reply.ok && reply.error, { code: 'bad_request', message: 'There is no lesson named "no-such-lesson".' });
});

test('the courses are served without their solutions', async () => {
  const reply = await ask(fakeSession(), { type: 'get_lessons' });
  assert.ok(reply.ok && reply.to === 'get_lessons');
  assert.deepEqual(
    reply.courses.map((c) => c.name),
    ['ebpf-from-zero', 'make-the-verifier-happy'],
  );
  assert.ok(reply.courses.every((c) => c.lessons.length >= 6));
  assert.ok(!JSON.stringify(reply).includes('"solution"'));
});
