// Needs: nothing (no root, no kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameReader, MAX_FRAME_BYTES } from './channel.ts';

function reader() {
  const messages: unknown[] = [];
  const broken: string[] = [];
  const r = new FrameReader(
    (m) => messages.push(m),
    (why) => broken.push(why),
  );
  return { r, messages, broken };
}

test('frames split anywhere, or run together, come out whole and in order, bytes as bytes', () => {
  const { r, messages, broken } = reader();
  const frames = Buffer.concat([encodeFrame({ id: 1, bytes: new Uint8Array([1, 2, 3]) }), encodeFrame({ id: 2, text: 'é'.repeat(1000) })]);
  for (let i = 0; i < frames.length; i += 7) r.push(frames.subarray(i, i + 7));
  assert.deepEqual(broken, []);
  assert.equal(messages.length, 2);
  assert.deepEqual((messages[0] as { bytes: Uint8Array }).bytes, new Uint8Array([1, 2, 3]));
  assert.equal((messages[1] as { text: string }).text.length, 1000);
});

test('a garbled message is reported once, and nothing after it is read', () => {
  const { r, messages, broken } = reader();
  const head = Buffer.alloc(4);
  head.writeUInt32BE(5);
  r.push(Buffer.concat([head, Buffer.from([0xff, 0x0f, 0x99, 0x01, 0x02])]));
  r.push(encodeFrame({ id: 3 }));
  assert.equal(messages.length, 0);
  assert.equal(broken.length, 1);
  assert.match(broken[0]!, /^a message that could not be read/);
});

test('a length over the cap is refused before anything is buffered', () => {
  const { r, messages, broken } = reader();
  const head = Buffer.alloc(4);
  head.writeUInt32BE(MAX_FRAME_BYTES + 1);
  r.push(head);
  assert.equal(messages.length, 0);
  assert.deepEqual(broken, [`a message of ${MAX_FRAME_BYTES + 1} bytes (the limit is ${MAX_FRAME_BYTES})`]);
});
