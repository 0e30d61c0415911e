import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { Btf, BtfError } from './btf.ts';
import { decodeStringLiterals, decodeValue, describeType, encodeValue, formatDecoded, type Decoded, type TypeShape } from './value-codec.ts';
import { BtfBuilder, compileBpf, mapTypes, typeByName } from './test-fixtures.ts';

const PROG = `
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <stdbool.h>

typedef __u64 u64;
typedef __u32 u32;
typedef __u16 u16;
typedef __u8 u8;
typedef __s64 s64;
typedef __s32 s32;

enum state { STATE_IDLE, STATE_RUNNING, STATE_DEAD = -1 };

struct slot {
	u32 id;
	s32 delta;
	u8 tag;
};

struct data_t {
	char comm[16];
	u64 count;
	s64 neg;
	enum state state;
	struct slot slots[3];
	union {
		u32 as_u32;
		u8 bytes[4];
	} u;
	struct {
		u16 lo;
		u16 hi;
	};
	unsigned int flag_a : 1, flag_b : 3;
	int sbits : 4;
	enum state small_state : 2;
	bool ok;
	void *ptr;
	float f;
	double d;
	u64 grid[2][3];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, char[64]);
	__type(value, u64);
} counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, u32);
	__type(value, struct data_t);
} samples SEC(".maps");

struct data_t sample = {
	.comm = "bash",
	.count = 23,
	.neg = -5,
	.state = STATE_DEAD,
	.slots = { { 1, -2, 3 }, { 4, 5, 6 } },
	.u = { .as_u32 = 0x01020304 },
	.lo = 7,
	.hi = 8,
	.flag_a = 1,
	.flag_b = 5,
	.sbits = -3,
	.small_state = STATE_RUNNING,
	.ok = true,
	.f = 1.5,
	.d = -2.25,
	.grid = { { 1, 2, 3 }, { 4, 5, 0xffffffffffffffffULL } },
};
u16 port = 8080;
s32 offset_ns = -1000;
int hits;
const volatile u32 target_pid = 4242;
const volatile bool verbose = true;

char LICENSE[] SEC("license") = "GPL";

SEC("tracepoint/syscalls/sys_enter_execve")
int handle_execve(void *ctx)
{
	char key[64] = "execve_counter";
	u64 one = 1, *v;
	u32 zero = 0;

	v = bpf_map_lookup_elem(&counts, key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, key, &one, BPF_ANY);
	if (target_pid && verbose)
		bpf_map_update_elem(&samples, &zero, &sample, BPF_ANY);
	hits++;
	return 0;
}
`;

// Linked, so the DATASECs carry the sizes and offsets libbpf would give them at open;
// .data then holds clang's own layout of `sample`, bitfields and union included.
const obj = compileBpf(PROG, { link: true, sections: ['.data', '.rodata'] });
const btf = obj.btf;
const counts = mapTypes(btf, 'counts');
const samples = mapTypes(btf, 'samples');
const dataSec = typeByName(btf, '.data', 'datasec').id;
const rodataSec = typeByName(btf, '.rodata', 'datasec').id;
const dataBytes = obj.sections.get('.data')!;

const SAMPLE: Decoded = {
  comm: 'bash',
  count: 23,
  neg: -5,
  state: 'STATE_DEAD',
  slots: [
    { id: 1, delta: -2, tag: 3 },
    { id: 4, delta: 5, tag: 6 },
    { id: 0, delta: 0, tag: 0 },
  ],
  u: { as_u32: 0x01020304, bytes: [4, 3, 2, 1] },
  lo: 7,
  hi: 8,
  flag_a: 1,
  flag_b: 5,
  sbits: -3,
  small_state: 'STATE_RUNNING',
  ok: true,
  ptr: '0x0000000000000000',
  f: 1.5,
  d: -2.25,
  grid: [
    [1, 2, 3],
    [4, 5, '18446744073709551615'],
  ],
};

function encoded(typeId: number, input: unknown, label?: string): Uint8Array {
  const r = encodeValue(btf, typeId, input, label === undefined ? {} : { label });
  if (!r.ok) assert.fail(r.error);
  return r.bytes;
}

function encodeError(typeId: number, input: unknown, label?: string): string {
  const r = encodeValue(btf, typeId, input, label === undefined ? {} : { label });
  assert.equal(r.ok, false, `expected ${JSON.stringify(input)} to be refused`);
  return r.ok ? '' : r.error;
}

function bytesOf(...values: number[]): Uint8Array {
  return new Uint8Array(values);
}

test('a char[64] key decodes to its text and encodes back to the same 64 bytes', () => {
  assert.equal(btf.typeName(counts.key), 'char[64]');
  const bytes = encoded(counts.key, 'execve_counter');
  assert.equal(bytes.length, 64);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 14)), 'execve_counter');
  assert.ok(
    bytes.subarray(14).every((b) => b === 0),
    'the rest of the key is NUL',
  );
  assert.equal(decodeValue(btf, counts.key, bytes), 'execve_counter');
  assert.equal(formatDecoded(decodeValue(btf, counts.key, bytes)), '"execve_counter"');

  const utf8 = encoded(counts.key, 'café ☕');
  assert.equal(decodeValue(btf, counts.key, utf8), 'café ☕');
  assert.equal(decodeValue(btf, counts.key, new Uint8Array(64)), '');
});

test('u64 values decode as numbers, and as decimal strings past 2^53', () => {
  const value = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return b;
  };
  assert.equal(decodeValue(btf, counts.value, value(23n)), 23);
  assert.equal(decodeValue(btf, counts.value, value(2n ** 53n - 1n)), Number.MAX_SAFE_INTEGER);
  assert.equal(decodeValue(btf, counts.value, value(2n ** 53n)), '9007199254740992');
  assert.equal(decodeValue(btf, counts.value, value(2n ** 64n - 1n)), '18446744073709551615');

  assert.deepEqual(encoded(counts.value, 23), value(23n));
  assert.deepEqual(encoded(counts.value, '18446744073709551615'), value(2n ** 64n - 1n));
  assert.deepEqual(encoded(counts.value, '0x2a'), value(42n));
  assert.deepEqual(encoded(counts.value, 42n), value(42n));
  assert.match(encodeError(counts.value, 2 ** 64), /too large to be exact as a JavaScript number; write it as a string/);

  const formatted = formatDecoded(decodeValue(btf, counts.value, value(2n ** 64n - 1n)), { btf, id: counts.value });
  assert.equal(formatted, '18446744073709551615');
});

test('a struct laid out by clang decodes field by field, bitfields, union and nested arrays included', () => {
  const decoded = decodeValue(btf, samples.value, dataBytes);
  assert.deepEqual(decoded, SAMPLE);
  // Bytes 0x50..0x52 hold flag_a, flag_b, sbits, small_state and ok: writing them back
  // must not disturb their neighbours.
  assert.deepEqual(encoded(samples.value, SAMPLE), dataBytes.subarray(0, btf.sizeOf(samples.value)));
});

test('.data, .rodata and .bss show as objects of their variables', () => {
  const data = decodeValue(btf, dataSec, dataBytes);
  assert.deepEqual(data, { sample: SAMPLE, port: 8080, offset_ns: -1000 });
  assert.deepEqual(encoded(dataSec, data), dataBytes);

  // .rodata also holds the "execve_counter" literal, which no variable names.
  const rodata = obj.sections.get('.rodata')!;
  assert.deepEqual(decodeValue(btf, rodataSec, rodata), { target_pid: 4242, verbose: true });
  assert.deepEqual(encoded(rodataSec, { target_pid: 4242, verbose: true }).subarray(0, 5), rodata.subarray(0, 5));

  const bss = typeByName(btf, '.bss', 'datasec').id;
  assert.deepEqual(decodeValue(btf, bss, bytesOf(7, 0, 0, 0)), { hits: 7 });
  assert.match(encodeError(bss, { hit: 1 }), /^unknown variable "hit" in SEC\("\.bss"\) \(variables: hits\)$/);
});

test('a DATASEC built by hand decodes its variables at their offsets', () => {
  const b = new BtfBuilder();
  const u8 = b.int('unsigned char', 1);
  const u32 = b.int('unsigned int', 4);
  const first = b.var('first', u8);
  const second = b.var('second', u32);
  const sec = b.datasec('.bss', 12, [
    [first, 0, 1],
    [second, 8, 4],
  ]);
  const hand = Btf.parse(b.build());
  const bytes = bytesOf(9, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee, 1, 1, 0, 0);
  assert.deepEqual(decodeValue(hand, sec, bytes), { first: 9, second: 257 });
  const r = encodeValue(hand, sec, { second: '0x101' });
  assert.ok(r.ok);
  assert.deepEqual(r.ok && r.bytes, bytesOf(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0));
});

test('signed integers keep their sign both ways', () => {
  const s64 = typeByName(btf, 's64', 'typedef').id;
  const s32 = typeByName(btf, 's32', 'typedef').id;
  assert.deepEqual(encoded(s32, -1), bytesOf(0xff, 0xff, 0xff, 0xff));
  assert.deepEqual(encoded(s32, '-1'), bytesOf(0xff, 0xff, 0xff, 0xff));
  assert.deepEqual(encoded(s32, '-0x10'), bytesOf(0xf0, 0xff, 0xff, 0xff));
  assert.equal(decodeValue(btf, s32, bytesOf(0, 0, 0, 0x80)), -2147483648);
  assert.equal(decodeValue(btf, s64, encoded(s64, '-9223372036854775808')), '-9223372036854775808');
  assert.equal(decodeValue(btf, s64, encoded(s64, -5)), -5);
  assert.match(encodeError(s32, 2147483648), /^value 2147483648 does not fit in s32 \(s32 holds -2147483648 to 2147483647\)$/);
});

test('enums go by enumerator name, and by number when no name matches', () => {
  const state = typeByName(btf, 'state', 'enum').id;
  assert.deepEqual(encoded(state, 'STATE_RUNNING'), bytesOf(1, 0, 0, 0));
  assert.deepEqual(encoded(state, 'STATE_DEAD'), bytesOf(0xff, 0xff, 0xff, 0xff));
  assert.deepEqual(encoded(state, -1), bytesOf(0xff, 0xff, 0xff, 0xff));
  assert.equal(decodeValue(btf, state, bytesOf(0xff, 0xff, 0xff, 0xff)), 'STATE_DEAD');
  assert.equal(decodeValue(btf, state, bytesOf(7, 0, 0, 0)), 7);
  assert.equal(encodeError(state, 'STATE_ZOMBIE'), '"STATE_ZOMBIE" is not a value of enum state (values: STATE_IDLE, STATE_RUNNING, STATE_DEAD)');
  assert.equal(formatDecoded({ state: 'STATE_DEAD' }, { btf, id: samples.value }), '{state: STATE_DEAD}');
});

test('a union decodes every member over the same bytes', () => {
  const data = typeByName(btf, 'data_t', 'struct');
  assert.equal(data.kind, 'struct');
  if (data.kind !== 'struct') return;
  const u = data.members.find((m) => m.name === 'u')!.type;
  assert.deepEqual(decodeValue(btf, u, bytesOf(0x78, 0x56, 0x34, 0x12)), { as_u32: 0x12345678, bytes: [0x78, 0x56, 0x34, 0x12] });
  assert.deepEqual(encoded(u, { bytes: [1, 2] }), bytesOf(1, 2, 0, 0));
  assert.deepEqual(encoded(u, { as_u32: 0x01020304 }), bytesOf(4, 3, 2, 1));
});

test('bitfields are written without disturbing their neighbours', () => {
  const base = encoded(samples.value, { flag_a: 1, flag_b: 7, sbits: -8, small_state: 'STATE_RUNNING', ok: true });
  assert.deepEqual(base.subarray(0x50, 0x53), bytesOf(0x8f, 0x01, 0x01));
  const back = decodeValue(btf, samples.value, base) as Record<string, Decoded>;
  assert.deepEqual([back.flag_a, back.flag_b, back.sbits, back.small_state, back.ok], [1, 7, -8, 'STATE_RUNNING', true]);

  const only = encoded(samples.value, { flag_b: 2 });
  assert.deepEqual(only.subarray(0x50, 0x53), bytesOf(0x04, 0, 0));
  assert.equal(encodeError(samples.value, { flag_b: 9 }), 'value 9 does not fit in unsigned int:3 at .flag_b (unsigned int:3 holds 0 to 7)');
  assert.match(encodeError(samples.value, { sbits: 8 }), /int:4 holds -8 to 7/);
});

test('old-style bitfield ints, 128-bit ints, BTF_INT_CHAR and ENUM64 built by hand', () => {
  const b = new BtfBuilder();
  // kind_flag unset: the member's int carries the width and the shift itself.
  const nibble = b.int('unsigned int', 4, { bits: 4, offset: 4 });
  const old = b.struct('old', 4, [{ name: 'high', type: nibble, bitOffset: 0 }]);
  const u128 = b.int('unsigned __int128', 16);
  const ch = b.int('u8char', 1, { char: true });
  const chars = b.array(ch, u128, 4);
  const big = b.enum64('big', 8, [['HUGE', 0xfedcba9876543210n]]);
  const hand = Btf.parse(b.build());

  assert.deepEqual(decodeValue(hand, old, bytesOf(0xa5, 0, 0, 0)), { high: 0xa });
  const r = encodeValue(hand, old, { high: 3 });
  assert.deepEqual(r.ok && r.bytes, bytesOf(0x30, 0, 0, 0));

  const max = new Uint8Array(16).fill(0xff);
  assert.equal(decodeValue(hand, u128, max), (2n ** 128n - 1n).toString());
  const r128 = encodeValue(hand, u128, (2n ** 128n - 1n).toString());
  assert.deepEqual(r128.ok && r128.bytes, max);

  assert.equal(decodeValue(hand, chars, bytesOf(0x68, 0x69, 0, 0)), 'hi');

  const huge = new Uint8Array(8);
  new DataView(huge.buffer).setBigUint64(0, 0xfedcba9876543210n, true);
  assert.equal(decodeValue(hand, big, huge), 'HUGE');
  const r64 = encodeValue(hand, big, 'HUGE');
  assert.deepEqual(r64.ok && r64.bytes, huge);
});

test('pointers are 0x and 16 hex digits', () => {
  const ptr = new Uint8Array(btf.sizeOf(samples.value));
  new DataView(ptr.buffer).setBigUint64(0x58, 0x7fff12345678n, true);
  const decoded = decodeValue(btf, samples.value, ptr) as Record<string, Decoded>;
  assert.equal(decoded.ptr, '0x00007fff12345678');
  assert.deepEqual(encoded(samples.value, { ptr: '0x00007fff12345678' }), ptr);
  assert.equal(formatDecoded({ ptr: decoded.ptr! }, { btf, id: samples.value }), '{ptr: 0x00007fff12345678}');
});

test('bool decodes as true/false and accepts true, false, 0, 1', () => {
  const bool = typeByName(btf, '_Bool', 'int').id;
  assert.equal(decodeValue(btf, bool, bytesOf(0)), false);
  assert.equal(decodeValue(btf, bool, bytesOf(1)), true);
  assert.deepEqual(encoded(bool, true), bytesOf(1));
  assert.deepEqual(encoded(bool, 0), bytesOf(0));
  assert.deepEqual(encoded(bool, 'true'), bytesOf(1));
  assert.equal(encodeError(bool, 'yes'), 'expected true or false for _Bool, got "yes"');
});

test('floats decode as numbers and NaN as a string', () => {
  const b = new BtfBuilder();
  const f64 = b.float('double', 8);
  const hand = Btf.parse(b.build());
  const r = encodeValue(hand, f64, 'NaN');
  assert.ok(r.ok);
  assert.equal(r.ok && decodeValue(hand, f64, r.bytes), 'NaN');
  assert.equal(JSON.stringify(r.ok && decodeValue(hand, f64, r.bytes)), '"NaN"');
  const pi = encodeValue(hand, f64, Math.PI);
  assert.equal(pi.ok && decodeValue(hand, f64, pi.bytes), Math.PI);
});

test('char arrays that are not text decode as number arrays, so no byte is hidden', () => {
  const comm = (...bytes: number[]) => Uint8Array.from({ length: 16 }, (_, i) => bytes[i] ?? 0);
  const data = typeByName(btf, 'data_t', 'struct');
  if (data.kind !== 'struct') return assert.fail('struct data_t');
  const commType = data.members.find((m) => m.name === 'comm')!.type;

  // Leftovers after the NUL are ignored, as bpftool does (bpf_probe_read_user_str leaves them).
  assert.equal(decodeValue(btf, commType, comm(0x6c, 0x73, 0, 0x41, 0x42)), 'ls');
  // A control byte: not text. char is signed on x86, so 0xff reads -1.
  assert.deepEqual(decodeValue(btf, commType, comm(0x6c, 0x0a, 0xff)), [0x6c, 0x0a, -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // No NUL at all: not a C string.
  assert.deepEqual(decodeValue(btf, commType, new Uint8Array(16).fill(0x41)), new Array(16).fill(0x41));
  // An empty string with bytes after it is binary data, not "".
  assert.deepEqual(decodeValue(btf, commType, comm(0, 0x1a, 0x2b)), [0, 0x1a, 0x2b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  // The array form encodes back, bytes given either way.
  assert.deepEqual(encoded(commType, [0x6c, 0x0a, -1]), comm(0x6c, 0x0a, 0xff));
  assert.deepEqual(encoded(commType, [0x6c, 0x0a, 255]), comm(0x6c, 0x0a, 0xff));
  // A u8 array (a typedef of unsigned char) is numbers even when it spells text.
  const u = decodeValue(btf, data.members.find((m) => m.name === 'u')!.type, bytesOf(0x68, 0x69, 0, 0));
  assert.deepEqual((u as Record<string, Decoded>).bytes, [0x68, 0x69, 0, 0]);
  assert.equal(encodeError(samples.value, { u: { bytes: [-1] } }), 'value -1 does not fit in u8 at .u.bytes[0] (u8 holds 0 to 255)');
});

test("a char array's text may hold tabs and newlines (a bpf_printk format), and writes back byte for byte", () => {
  const data = typeByName(btf, 'data_t', 'struct');
  if (data.kind !== 'struct') return assert.fail('struct data_t');
  const commType = data.members.find((m) => m.name === 'comm')!.type;
  const comm = (text: string) => {
    const bytes = new Uint8Array(16);
    bytes.set(new TextEncoder().encode(text));
    return bytes;
  };
  assert.equal(decodeValue(btf, commType, comm('pid=%d\tok\r\n')), 'pid=%d\tok\r\n');
  assert.deepEqual(encoded(commType, 'pid=%d\tok\r\n'), comm('pid=%d\tok\r\n'));
  // Other controls (an escape, a bell) are not text.
  assert.deepEqual((decodeValue(btf, commType, comm('a\x1b[0m')) as Decoded[]).slice(0, 3), [0x61, 0x1b, 0x5b]);
  assert.equal(Array.isArray(decodeValue(btf, commType, comm('ding\x07'))), true);
});

test('string literals decode in order, without the padding; bytes that are not text are refused', () => {
  const bytes = (text: string) => new TextEncoder().encode(text);
  assert.deepEqual(decodeStringLiterals(bytes('Hello, World!\0%s\n\0\0\0')), ['Hello, World!', '%s\n']);
  assert.deepEqual(decodeStringLiterals(bytes('\0')), []);
  assert.equal(decodeStringLiterals(bytes('no end')), undefined);
  assert.equal(decodeStringLiterals(Uint8Array.from([0x41, 0x02, 0])), undefined);
  assert.equal(decodeStringLiterals(new Uint8Array(0)), undefined);
});

test('encode errors name the path in one sentence', () => {
  assert.equal(encodeError(samples.value, { slots: [{}, {}, { tag: 300 }] }), 'value 300 does not fit in u8 at .slots[2].tag (u8 holds 0 to 255)');
  assert.equal(
    encodeError(samples.value, { slots: [{}, {}, { tag: 300 }] }, 'value'),
    'value 300 does not fit in u8 at value.slots[2].tag (u8 holds 0 to 255)',
  );
  assert.equal(
    encodeError(counts.key, 'execve_counter_and_more_and_more_and_more_and_more_and_more_and_more__', 'key'),
    '"execve_counter_and_more_..." is 70 bytes but key is char[64] (room for 63 bytes and the closing NUL)',
  );
  assert.match(encodeError(counts.key, 'x'.repeat(64)), /is 64 bytes but the value is char\[64\]/);
  assert.equal(encoded(counts.key, 'x'.repeat(63)).at(63), 0);

  assert.equal(encodeError(typeByName(btf, 'slot', 'struct').id, { cnt: 1 }), 'unknown field "cnt" in struct slot (fields: id, delta, tag)');
  assert.equal(encodeError(samples.value, { slots: [{ id: 'seven' }] }), 'expected a whole number for u32 at .slots[0].id, got "seven"');
  assert.equal(encodeError(samples.value, { count: 1.5 }), 'expected a whole number for u64 at .count, got 1.5');
  assert.match(encodeError(samples.value, 5), /^expected an object for struct data_t \(fields: comm, count, .*, got 5$/);
  assert.equal(encodeError(samples.value, { slots: [{}, {}, {}, {}] }), '4 items given but .slots is struct slot[3]');
  assert.equal(encodeError(samples.value, { grid: 'abc' }), 'expected an array for u64[2][3] at .grid, got "abc"');
  assert.equal(encodeError(samples.value, { comm: 42 }), 'expected a string or an array for char[16] at .comm, got 42');
  assert.equal(encodeError(samples.value, { ok: null }), 'expected true or false for _Bool at .ok, got null');
  assert.equal(encodeError(samples.value, { count: -1 }), 'value -1 does not fit in u64 at .count (u64 holds 0 to 18446744073709551615)');
});

test('missing fields and array items are zero, as in a C initializer', () => {
  const bytes = encoded(samples.value, { count: 1, slots: [{ id: 2 }] });
  const back = decodeValue(btf, samples.value, bytes) as Record<string, Decoded>;
  assert.equal(back.comm, '');
  assert.equal(back.count, 1);
  assert.deepEqual(back.slots, [
    { id: 2, delta: 0, tag: 0 },
    { id: 0, delta: 0, tag: 0 },
    { id: 0, delta: 0, tag: 0 },
  ]);
  assert.equal(back.state, 'STATE_IDLE');
});

test('describeType gives a form the tree of fields, flattening anonymous members', () => {
  const shape = describeType(btf, samples.value);
  assert.equal(shape.kind, 'struct');
  if (shape.kind !== 'struct') return;
  assert.equal(shape.name, 'struct data_t');
  assert.equal(shape.size, 160);
  const field = (name: string) => shape.fields.find((f) => f.name === name)!;
  assert.deepEqual(
    shape.fields.map((f) => f.name),
    ['comm', 'count', 'neg', 'state', 'slots', 'u', 'lo', 'hi', 'flag_a', 'flag_b', 'sbits', 'small_state', 'ok', 'ptr', 'f', 'd', 'grid'],
  );
  assert.deepEqual(field('comm').type, {
    kind: 'array',
    name: 'char[16]',
    size: 16,
    length: 16,
    text: true,
    elem: { kind: 'int', name: 'char', size: 1, signed: true, bits: 8 },
  });
  assert.deepEqual(field('count').type, { kind: 'int', name: 'u64', size: 8, signed: false, bits: 64 });
  assert.deepEqual(field('hi'), { name: 'hi', offset: 78, type: { kind: 'int', name: 'u16', size: 2, signed: false, bits: 16 } });
  assert.deepEqual(field('flag_b'), {
    name: 'flag_b',
    offset: 80,
    bitOffset: 641,
    bits: 3,
    type: { kind: 'int', name: 'unsigned int', size: 4, signed: false, bits: 3 },
  });
  assert.deepEqual(field('state').type, {
    kind: 'enum',
    name: 'enum state',
    size: 4,
    signed: false,
    enumerators: [
      { name: 'STATE_IDLE', value: 0 },
      { name: 'STATE_RUNNING', value: 1 },
      { name: 'STATE_DEAD', value: 4294967295 },
    ],
  });
  assert.deepEqual(field('ptr').type, { kind: 'pointer', name: 'void *', size: 8, target: 'void' });
  assert.deepEqual(field('ok').type, { kind: 'bool', name: '_Bool', size: 1 }); // stdbool's bool is a macro
  const slots = field('slots').type as Extract<TypeShape, { kind: 'array' }>;
  assert.equal(slots.text, false);
  assert.equal(slots.elem.kind === 'struct' && slots.elem.fields.length, 3);
  assert.deepEqual(JSON.parse(JSON.stringify(shape)), shape, 'the description is plain JSON');
});

test('describeType does not follow pointers, so self-referencing structs end', () => {
  const b = new BtfBuilder();
  const fwd = b.fwd('node');
  const next = b.ptr(fwd);
  const int = b.int('int', 4, { signed: true });
  const node = b.struct('node', 16, [
    { name: 'value', type: int, bitOffset: 0 },
    { name: 'next', type: next, bitOffset: 64 },
  ]);
  const hand = Btf.parse(b.build());
  assert.deepEqual(describeType(hand, node), {
    kind: 'struct',
    name: 'struct node',
    size: 16,
    fields: [
      { name: 'value', offset: 0, type: { kind: 'int', name: 'int', size: 4, signed: true, bits: 32 } },
      { name: 'next', offset: 8, type: { kind: 'pointer', name: 'struct node *', size: 8, target: 'struct node' } },
    ],
  });
  assert.equal(describeType(hand, fwd).kind, 'opaque');
});

test('formatDecoded prints one line as bpftool does', () => {
  assert.equal(formatDecoded('execve_counter'), '"execve_counter"');
  assert.equal(formatDecoded(23), '23');
  assert.equal(formatDecoded({ pid: 12, comm: 'bash' }), '{pid: 12, comm: "bash"}');
  assert.equal(formatDecoded([1, [2, 3], true, null]), '[1, [2, 3], true, null]');
  assert.equal(formatDecoded({ 'odd key': 1, 'fn.counter': 2 }), '{"odd key": 1, fn.counter: 2}');
  const typed = formatDecoded(SAMPLE, { btf, id: samples.value });
  assert.ok(typed.startsWith('{comm: "bash", count: 23, neg: -5, state: STATE_DEAD, slots: [{id: 1, delta: -2, tag: 3}, '), typed);
  assert.ok(typed.endsWith('grid: [[1, 2, 3], [4, 5, 18446744073709551615]]}'), typed);
});

test('decoding fewer bytes than the type needs is a bug and throws', () => {
  assert.throws(() => decodeValue(btf, samples.value, new Uint8Array(10)), BtfError);
  assert.throws(() => decodeValue(btf, counts.value, new Uint8Array(16), 9), BtfError);
  assert.equal(decodeValue(btf, counts.value, encoded(counts.value, 5).slice(), 0), 5);
  assert.equal(decodeValue(btf, 0, new Uint8Array(0)), null);
});

test('every vmlinux task_struct field decodes, and its JSON encodes back to the same JSON', { skip: !existsSync('/sys/kernel/btf/vmlinux') }, () => {
  const vmlinux = Btf.parse(readFileSync('/sys/kernel/btf/vmlinux'));
  const task = vmlinux.findByName('task_struct', 'struct')!;
  const size = vmlinux.sizeOf(task.id);
  // Bytes that are not all zero, so bitfields, unions and pointers see real bits.
  const bytes = Uint8Array.from({ length: size }, (_, i) => (i * 7 + 3) & 0x7f);
  const decoded = decodeValue(vmlinux, task.id, bytes) as Record<string, Decoded>;
  assert.equal(typeof decoded.pid, 'number');
  const back = encodeValue(vmlinux, task.id, decoded);
  if (!back.ok) assert.fail(back.error);
  // Padding between fields is not in the JSON, so only bytes some field covers can come back.
  const again = decodeValue(vmlinux, task.id, back.bytes);
  assert.deepEqual(again, decoded);
  assert.equal(describeType(vmlinux, task.id).kind, 'struct');
});
