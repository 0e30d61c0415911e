import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TraceLine } from '../../../protocol/messages.ts';
import { TraceBuffer } from './trace-buffer.ts';

const line = (ts: number, text = 'x'): TraceLine => ({ ts, cpu: 0, pid: 1, comm: 'sh', text });

test("keeps the newest lines and counts the evicted ones as dropped, with the server's", () => {
  const buffer = new TraceBuffer(3);
  buffer.append([line(1, 'a'), line(2, 'b')], 0);
  buffer.append([line(3, 'c'), line(4, 'd'), line(5, 'e')], 7);
  assert.deepEqual(
    buffer.lines.map((l) => l.text),
    ['c', 'd', 'e'],
  );
  assert.deepEqual(
    buffer.lines.map((l) => l.seq),
    [2, 3, 4],
  );
  assert.equal(buffer.evicted, 2);
  assert.equal(buffer.serverDropped, 7);
  assert.equal(buffer.dropped, 9);
  assert.equal(buffer.total, 5);
  assert.equal(buffer.firstTs, 1);
});

test('the clock offset is the smallest delay seen (delivery only adds delay)', () => {
  const buffer = new TraceBuffer();
  buffer.append([line(100)], 0, 1_000_500);
  buffer.append([line(101)], 0, 1_001_900);
  assert.equal(buffer.clockOffset, 1000.5 - 100);
});

test('listeners hear every change; reset forgets the run', () => {
  const buffer = new TraceBuffer();
  let calls = 0;
  const off = buffer.subscribe(() => calls++);
  buffer.append([line(1)], 0);
  buffer.reset();
  off();
  buffer.append([line(1)], 0);
  assert.equal(calls, 2);
  assert.equal(buffer.total, 1);
  assert.equal(buffer.serverDropped, 0);
});

test('kernel losses are kept apart from drops, as the largest count seen, and a new run forgets them', () => {
  const buffer = new TraceBuffer(10);
  buffer.append([line(1)], 0, 1_000, 40);
  buffer.append([line(2)], 3, 2_000, 25);
  assert.equal(buffer.kernelLost, 40);
  assert.equal(buffer.dropped, 3);
  buffer.reset();
  assert.equal(buffer.kernelLost, 0);
});
