import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONNECTION_LOST, RequestChannel } from './client.ts';
import { decodeClientMessage, encodeServerMessage } from './messages.ts';

/** A socket that keeps what the client sent, so the test can answer as the server would. */
function fakeSocket() {
  const sent: string[] = [];
  const channel = new RequestChannel((text) => sent.push(text));
  const lastRequest = () => {
    const decoded = decodeClientMessage(sent.at(-1)!);
    assert.ok(decoded.ok);
    return decoded.message;
  };
  return { channel, sent, lastRequest };
}

test('a reply settles the request with its id, with the typed result', async () => {
  const { channel, lastRequest } = fakeSocket();
  const first = channel.send({ type: 'share', files: [{ name: 'p.bpf.c', content: '' }], seeds: [] });
  const firstId = lastRequest().id;
  const second = channel.send({ type: 'get_share', shareId: 'nope' });
  const secondId = lastRequest().id;
  assert.notEqual(firstId, secondId);
  // Answered out of order: each goes to its own request.
  const refused = channel.receive(
    encodeServerMessage({ type: 'reply', id: secondId, ok: false, error: { code: 'bad_request', message: 'There is no shared program "nope".' } }),
  );
  assert.deepEqual(refused.ok && refused.answered, true);
  channel.receive(encodeServerMessage({ type: 'reply', id: firstId, ok: true, to: 'share', shareId: 'k3y' }));
  const shared = await first;
  assert.ok(shared.ok);
  assert.equal(shared.shareId, 'k3y');
  assert.deepEqual(await second, { ok: false, error: { code: 'bad_request', message: 'There is no shared program "nope".' } });
  assert.equal(channel.waiting, 0);
});

test('messages that answer nothing are handed back, and undecodable frames say why', () => {
  const { channel } = fakeSocket();
  const trace = channel.receive(encodeServerMessage({ type: 'trace', runId: 1, lines: [], dropped: 0 }));
  assert.ok(trace.ok && !trace.answered && trace.message.type === 'trace');
  const stray = channel.receive(encodeServerMessage({ type: 'reply', id: 99, ok: true, to: 'stop' }));
  assert.ok(stray.ok && !stray.answered);
  const junk = channel.receive('{"type":"reply"');
  assert.deepEqual(junk, { ok: false, error: 'The message is not valid JSON.' });
});

test('a lost connection answers every waiting request, as data', async () => {
  const { channel } = fakeSocket();
  const pending = [channel.send({ type: 'stop' }), channel.send({ type: 'get_lessons' })];
  channel.failAll();
  assert.deepEqual(await Promise.all(pending), [
    { ok: false, error: CONNECTION_LOST },
    { ok: false, error: CONNECTION_LOST },
  ]);
});

test('a Run can name its id before it is sent, so its messages are known as its own', async () => {
  const { channel, lastRequest } = fakeSocket();
  const runId = channel.allocateId();
  const started = channel.send({ type: 'run', files: [{ name: 'p.bpf.c', content: '' }], seeds: [] }, runId);
  assert.equal(lastRequest().id, runId);
  channel.receive(encodeServerMessage({ type: 'reply', id: runId, ok: true, to: 'run' }));
  assert.deepEqual(await started, { ok: true, to: 'run' });
});

test('over the limits the server gave, a request is answered here and never sent', async () => {
  const { channel, sent } = fakeSocket();
  const big = [{ name: 'prog.bpf.c', content: 'x'.repeat(102_462) }];
  // Before hello's limits are known, nothing is checked here.
  void channel.send({ type: 'prepare', files: big });
  assert.equal(sent.length, 1);
  channel.setLimits({ sourceBytes: 64 * 1024, wsMaxPayloadBytes: 128 * 1024 });
  assert.deepEqual(await channel.send({ type: 'run', files: big, seeds: [] }), {
    ok: false,
    error: { code: 'bad_request', message: 'prog.bpf.c is 100.1 KB; the limit is 64 KB for all files together.' },
  });
  // Sources under their limit can still make a frame over the socket's: 60 KB of backslashes encode as 120 KB, plus seeds.
  const escaped = [{ name: 'prog.bpf.c', content: '\\'.repeat(60 * 1024) }];
  const seeds = [{ map: 'm', key: 1, value: 'v'.repeat(20 * 1024) }];
  const frame = await channel.send({ type: 'share', files: escaped, seeds });
  assert.equal(frame.ok, false);
  assert.match(
    !frame.ok ? frame.error.message : '',
    /^This is too big to send: 140\.\d KB once encoded, and the server takes at most 128 KB in one message\.$/,
  );
  assert.equal(sent.length, 1, 'neither was sent');
  assert.equal(channel.waiting, 1, 'only the request sent before the limits waits for a reply');
  // What fits goes out as before.
  void channel.send({ type: 'run', files: [{ name: 'prog.bpf.c', content: 'x'.repeat(64 * 1024) }], seeds: [] });
  assert.equal(sent.length, 2);
});
