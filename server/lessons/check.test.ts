import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CheckSpec, MapSnapshot, TraceLine } from '../../protocol/messages.ts';
import { evaluateCheck, type Observation } from './check.ts';
import { splitSteps } from './course.ts';

const facts = { comm: 'pg_a1b2c3', pid: 4242, count: 3, nonce: 'cafe0123', usBucket: 12 };
const line = (comm: string, text: string): TraceLine => ({ ts: 1, cpu: 0, pid: 1, comm, text });
const map = (name: string, entries: [unknown, unknown][]): MapSnapshot => ({
  name,
  entries: entries.map(([key, value]) => ({ key: key as never, value: value as never })),
  count: entries.length,
  truncated: false,
});
const seen = (over: Partial<Observation>): Observation => ({ trace: [], events: [], mapsBefore: [], mapsAfter: [], ...over });

test('trace: counts only the workload’s lines containing the text, case-insensitively', () => {
  const spec = { kind: 'trace', from: 'workload', contains: 'hello', atLeast: '${count}' } as const;
  const lines = [line('pg_a1b2c3', 'Hello, World!'), line('pg_a1b2c3', 'hello again'), line('bash', 'hello')];
  const short = evaluateCheck(spec, seen({ trace: lines }), facts);
  assert.equal(short.pass, false);
  assert.match(short.message, /at least 3 lines from the workload \(process pg_a1b2c3\) containing “hello”, but saw 2 .*1 from other processes/);
  assert.equal(evaluateCheck(spec, seen({ trace: [...lines, line('pg_a1b2c3', 'HELLO')] }), facts).pass, true);
});

test('trace: a workload child’s line counts even when trace_pipe did not know its comm ("<...>")', () => {
  const spec = { kind: 'trace', from: 'workload', contains: 'hello', atLeast: 2 } as const;
  const child = { ...line('<...>', 'hello'), pid: 4243 };
  assert.equal(evaluateCheck(spec, seen({ trace: [line('pg_a1b2c3', 'hello'), child] }), { ...facts, pids: '4242,4243' }).pass, true);
  assert.equal(evaluateCheck(spec, seen({ trace: [line('pg_a1b2c3', 'hello'), { ...child, pid: 999 }] }), { ...facts, pids: '4242,4243' }).pass, false);
});

test('trace: facts fill the expected text', () => {
  const spec = { kind: 'trace', from: 'workload', contains: 'ppid=${pid}', atLeast: 1 } as const;
  assert.equal(evaluateCheck(spec, seen({ trace: [line('pg_a1b2c3', 'ppid=4242 comm=x')] }), facts).pass, true);
  assert.equal(evaluateCheck(spec, seen({ trace: [line('pg_a1b2c3', 'ppid=1')] }), facts).pass, false);
});

test('map_entry: the pid key with the exact count, numbers given as strings too', () => {
  const spec = { kind: 'map_entry', key: '${pid}', value: { equals: '${count}' } } as const;
  assert.equal(evaluateCheck(spec, seen({ mapsAfter: [map('counts', [[4242, 3]])] }), facts).pass, true);
  assert.equal(evaluateCheck(spec, seen({ mapsAfter: [map('counts', [[{ pid: 4242 }, '3']])] }), facts).pass, true);
  const wrong = evaluateCheck(spec, seen({ mapsAfter: [map('counts', [[4242, 5]])] }), facts);
  assert.equal(wrong.pass, false);
  assert.match(wrong.message, /to be 3, but “counts” holds 4242 → 5/);
  assert.match(evaluateCheck(spec, seen({ mapsAfter: [map('counts', [[1, 3]])] }), facts).message, /no map has that key/);
});

test('map_grows: compares before and after; an empty map asks about the seed', () => {
  const spec = { kind: 'map_grows', atLeast: '${count}' } as const;
  const before = [map('execve_counter', [['execve_counter', 10]])];
  assert.equal(evaluateCheck(spec, seen({ mapsBefore: before, mapsAfter: [map('execve_counter', [['execve_counter', 14]])] }), facts).pass, true);
  const slow = evaluateCheck(spec, seen({ mapsBefore: before, mapsAfter: [map('execve_counter', [['execve_counter', 11]])] }), facts);
  assert.equal(slow.pass, false);
  assert.match(slow.message, /most any grew was 1/);
  assert.match(evaluateCheck(spec, seen({ mapsAfter: [map('execve_counter', [])] }), facts).message, /insert the key before attach/);
});

test('event: one record must carry every value, strings as substrings', () => {
  const spec: CheckSpec = { kind: 'event', includes: ['${pid}', '${nonce}'] };
  const good = { pid: 4242, comm: 'pg_a1b2c3', filename: '/tmp/pg-lesson-cafe0123/cafe0123.txt' };
  assert.equal(evaluateCheck(spec, seen({ events: [{ pid: 1, filename: 'x' }, good] }), facts).pass, true);
  const split = evaluateCheck(spec, seen({ events: [{ pid: 4242, filename: 'x' }, { pid: 1, filename: 'cafe0123' }, null] }), facts);
  assert.equal(split.pass, false);
  assert.match(split.message, /none of the 3 records.*1 could not be decoded/);
});

test('histogram: slot-index keys or an array of slots', () => {
  const spec = { kind: 'histogram', bucket: '${usBucket}', atLeast: '${count}' } as const;
  assert.equal(
    evaluateCheck(
      spec,
      seen({
        mapsAfter: [
          map('hist', [
            [11, 1],
            [12, 3],
          ]),
        ],
      }),
      facts,
    ).pass,
    true,
  );
  const slots = Array.from({ length: 32 }, (_, i) => (i === 12 ? 4 : 0));
  assert.equal(evaluateCheck(spec, seen({ mapsAfter: [map('.bss', [[0, { hist: slots }]])] }), facts).pass, true);
  const off = evaluateCheck(spec, seen({ mapsAfter: [map('hist', [[13, 5]])] }), facts);
  assert.equal(off.pass, false);
  assert.match(off.message, /slot 12 \(4096–8191 µs\), but it held 0 \(counts by slot: 13: 5\)/);
  // A loaded machine: some sleeps wake late, one slot up; the rest are where they belong.
  const late = evaluateCheck(
    spec,
    seen({
      mapsAfter: [
        map('hist', [
          [12, 2],
          [13, 1],
        ]),
      ],
    }),
    facts,
  );
  assert.equal(late.pass, true);
  assert.match(late.message, /counted 2, and 1 sleep woke late into slot 13/);
  // Never early: a slot below does not count.
  assert.equal(
    evaluateCheck(
      spec,
      seen({
        mapsAfter: [
          map('hist', [
            [11, 3],
            [12, 1],
          ]),
        ],
      }),
      facts,
    ).pass,
    false,
  );
});

test('all: the first failing part speaks', () => {
  const spec: CheckSpec = {
    kind: 'all',
    checks: [
      { kind: 'trace', from: 'any', contains: 'x', atLeast: 1 },
      { kind: 'map_grows', atLeast: 1 },
    ],
  };
  const verdict = evaluateCheck(spec, seen({ trace: [line('a', 'x')] }), facts);
  assert.equal(verdict.pass, false);
  assert.match(verdict.message, /grow/);
});

test('splitSteps: ## headings start steps, not inside code fences', () => {
  const steps = splitSteps('# Title\nIntro text.\n\n## First\nDo this.\n```c\n## not a heading\n```\n## Second\nThen that.\n');
  assert.deepEqual(
    steps.map((s) => s.title),
    ['Introduction', 'First', 'Second'],
  );
  assert.match(steps[1]!.markdown, /## not a heading/);
});
