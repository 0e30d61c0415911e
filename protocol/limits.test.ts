import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatKilobytes, frameSizeProblem, sourceSizeProblem, utf8Bytes } from './limits.ts';

const KB = 1024;
const file = (name: string, bytes: number) => ({ name, content: 'x'.repeat(bytes) });

test('utf8Bytes counts what an encoder writes, surrogate pairs and lone ones included', () => {
  for (const text of ['', 'abc', 'é', '€', '😀', 'a\ud800b', '\udc00', 'x😀é€\n'.repeat(50)]) {
    assert.equal(utf8Bytes(text), new TextEncoder().encode(text).length, JSON.stringify(text));
  }
});

test('sizes are said in KB, or MB from 1 MB, with one decimal at most', () => {
  assert.equal(formatKilobytes(64 * KB), '64 KB');
  assert.equal(formatKilobytes(102_462), '100.1 KB');
  assert.equal(formatKilobytes(128 * KB), '128 KB');
  assert.equal(formatKilobytes(1_153_434), '1.1 MB');
});

test('files that fit say nothing; one too big is named in KB, never in bytes', () => {
  assert.equal(sourceSizeProblem([file('prog.bpf.c', 64 * KB)], 64 * KB), null);
  assert.equal(sourceSizeProblem([file('prog.bpf.c', 102_462)], 64 * KB), 'prog.bpf.c is 100.1 KB; the limit is 64 KB for all files together.');
  assert.equal(
    sourceSizeProblem([file('prog.h', 10), file('prog.bpf.c', 1_153_434)], 64 * KB),
    'prog.bpf.c is 1.1 MB; the limit is 64 KB for all files together.',
  );
});

test('a size just over the limit never reads as the limit itself', () => {
  assert.equal(sourceSizeProblem([file('prog.bpf.c', 64 * KB + 1)], 64 * KB), 'prog.bpf.c is 64.1 KB; the limit is 64 KB for all files together.');
});

test('files over the limit only together are summed, biggest first', () => {
  assert.equal(
    sourceSizeProblem([file('a.h', 20 * KB), file('prog.bpf.c', 40 * KB), file('b.h', 10 * KB)], 64 * KB),
    'The files are 70 KB together (prog.bpf.c 40 KB, a.h 20 KB, b.h 10 KB); the limit is 64 KB for all files together.',
  );
});

test('multibyte text counts in UTF-8 bytes, as the server counts it', () => {
  // 30,000 × "é" is 60,000 bytes: 58.6 KB fits; 40,000 (80,000 bytes) does not.
  assert.equal(sourceSizeProblem([{ name: 'prog.bpf.c', content: 'é'.repeat(30_000) }], 64 * KB), null);
  assert.match(sourceSizeProblem([{ name: 'prog.bpf.c', content: 'é'.repeat(40_000) }], 64 * KB) ?? '', /^prog\.bpf\.c is 78\.1 KB;/);
});

test('a message over the WebSocket limit is refused in KB', () => {
  assert.equal(frameSizeProblem(128 * KB, 128 * KB), null);
  assert.equal(frameSizeProblem(143_565, 128 * KB), 'This is too big to send: 140.2 KB once encoded, and the server takes at most 128 KB in one message.');
});
