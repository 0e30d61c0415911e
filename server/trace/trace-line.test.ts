import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatTraceTag, parseTraceLine, splitTraceTag } from './trace-line.ts';

test('a printk line loses the tracefs columns and keeps pid, cpu, comm and time', () => {
  const parsed = parseTraceLine('           <...>-40712   [001] ...21  8123.456789: bpf_trace_printk: invoke bpf_prog: Hello, World!', null);
  assert.equal(parsed?.continuation, false);
  assert.deepEqual(parsed?.line, { comm: '<...>', pid: 40712, cpu: 1, ts: 8123.456789, text: 'invoke bpf_prog: Hello, World!' });
});

test('a comm with spaces and dashes keeps them', () => {
  const line = parseTraceLine(' kworker/u4:1-my thing-77 [000] d.h1. 1.000001: bpf_trace_printk: x', null)?.line;
  assert.equal(line?.comm, 'kworker/u4:1-my thing');
  assert.equal(line?.pid, 77);
});

test('a continuation line takes the columns of the line before; blank lines vanish', () => {
  const first = parseTraceLine('  sh-5 [000] ..... 2.5: bpf_trace_printk: a', null)!.line;
  assert.deepEqual(parseTraceLine('second half', first), { line: { ...first, text: 'second half' }, continuation: true });
  assert.equal(parseTraceLine('   ', first), null);
});

test('a session tag is recognised and stripped; a look-alike without one is not', () => {
  const tag = formatTraceTag('AbC123_-xyz9');
  assert.deepEqual(splitTraceTag(`${tag}invoke bpf_prog: Hello`), { secret: 'AbC123_-xyz9', text: 'invoke bpf_prog: Hello' });
  assert.deepEqual(splitTraceTag('[pg:short] hi'), { secret: null, text: '[pg:short] hi' });
  assert.deepEqual(splitTraceTag('hello'), { secret: null, text: 'hello' });
});
