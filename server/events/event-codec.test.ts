import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileBpf } from '../btf/test-fixtures.ts';
import { EventCodec, definedStructs, structsOf } from './event-codec.ts';

const SOURCE = `#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
struct event { __u32 pid; char comm[16]; };
struct other { __u32 a; __u32 b; __u32 c; __u32 d; __u32 e; };
const struct event *unused_event __attribute__((unused));
const struct other *unused_other __attribute__((unused));
char LICENSE[] SEC("license") = "GPL";
`;

function record(pid: number, comm: string, padding = 0): Uint8Array {
  const bytes = new Uint8Array(20 + padding);
  new DataView(bytes.buffer).setUint32(0, pid, true);
  bytes.set(new TextEncoder().encode(comm), 4);
  return bytes;
}

test("records decode as the struct the user's sources define, even with perf padding", () => {
  const { btf } = compileBpf(SOURCE);
  const codec = new EventCodec(structsOf(btf), definedStructs([SOURCE.replace('struct other {', 'struct other;')]));
  const plain = codec.decode(record(42, 'bash'));
  assert.deepEqual(plain.value, { pid: 42, comm: 'bash' });
  assert.equal(plain.type?.name, 'event');
  const padded = codec.decode(record(7, 'sh', 4));
  assert.deepEqual(padded.value, { pid: 7, comm: 'sh' });
  assert.equal(padded.hex.length, 48);
});

test("two structs of the record's size and no hint: raw bytes until the user picks one", () => {
  const { btf } = compileBpf(SOURCE);
  const codec = new EventCodec(structsOf(btf), new Set());
  assert.equal(codec.decode(record(1, 'x')).value, null);
  assert.equal(codec.pick('struct other'), true);
  assert.deepEqual(codec.decode(record(1, 'x')).value, { a: 1, b: 120, c: 0, d: 0, e: 0 });
  assert.equal(codec.pick('nope'), false);
  assert.equal(codec.pick(null), true);
  assert.equal(codec.decode(record(1, 'x')).value, null);
});

test("a record's char arrays decode as their text, a line's newline included", () => {
  const { btf } = compileBpf(SOURCE);
  const codec = new EventCodec(structsOf(btf), new Set(['event']));
  assert.deepEqual(codec.decode(record(5, 'worker\tA\n')).value, { pid: 5, comm: 'worker\tA\n' });
});
