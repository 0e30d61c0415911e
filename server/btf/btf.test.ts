import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Btf, BtfError } from './btf.ts';
import { BtfBuilder, compileBpf, mapTypes, typeByName } from './test-fixtures.ts';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const BPFTOOL = existsSync('/usr/sbin/bpftool') ? '/usr/sbin/bpftool' : 'bpftool';

const PROG = `
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

typedef __u64 u64;
typedef __u32 u32;

struct event {
	u32 pid;
	char comm[16];
	const char *name;
	volatile int *const counter;
	int (*fn)(int, char *);
	u64 grid[2][3];
	int (*rows)[4];
	union { u32 raw; struct { short lo, hi; }; };
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16);
	__type(key, char[64]);
	__type(value, struct event);
} events SEC(".maps");

char LICENSE[] SEC("license") = "GPL";
`;

test('vmlinux BTF parses and holds struct task_struct as bpftool reports it', { skip: !existsSync(VMLINUX) }, () => {
  const btf = Btf.parse(readFileSync(VMLINUX));
  const task = btf.findByName('task_struct', 'struct');
  assert.ok(task, 'struct task_struct is in vmlinux');
  assert.equal(task.kind, 'struct');
  assert.equal(btf.typeName(task.id), 'struct task_struct');
  assert.equal(btf.findByName('struct task_struct'), task);

  // bpftool is libbpf's reading of the same file: the type count, id and size must agree.
  const raw = execFileSync(BPFTOOL, ['btf', 'dump', 'file', VMLINUX], { maxBuffer: 1 << 30 }).toString();
  const line = /^\[(\d+)\] STRUCT 'task_struct' size=(\d+) vlen=(\d+)$/m.exec(raw);
  assert.ok(line);
  assert.equal(task.id, Number(line[1]));
  assert.equal(btf.sizeOf(task.id), Number(line[2]));
  assert.equal(task.members.length, Number(line[3]));
  const lastId = Number([...raw.matchAll(/^\[(\d+)\] /gm)].at(-1)![1]);
  assert.equal(btf.typeCount, lastId + 1);

  const pid = task.members.find((m) => m.name === 'pid');
  assert.ok(pid);
  assert.equal(btf.typeName(pid.type), 'pid_t');
  assert.equal(btf.resolve(pid.type).name, 'int');
});

test('type names are spelled as C declares them', () => {
  const { btf } = compileBpf(PROG);
  const event = typeByName(btf, 'event', 'struct');
  assert.equal(event.kind, 'struct');
  if (event.kind !== 'struct') return;
  const spelled = Object.fromEntries(event.members.map((m) => [m.name, btf.typeName(m.type)]));
  assert.deepEqual(spelled, {
    pid: 'u32',
    comm: 'char[16]',
    name: 'const char *',
    counter: 'volatile int *const',
    fn: 'int (*)(int, char *)',
    grid: 'u64[2][3]',
    rows: 'int (*)[4]',
    '': 'union (anon)',
  });
  const { key, value } = mapTypes(btf, 'events');
  assert.equal(btf.typeName(key), 'char[64]');
  assert.equal(btf.typeName(value), 'struct event');
  assert.equal(btf.typeName(0), 'void');
});

test('resolve skips typedefs and qualifiers, sizeOf follows arrays', () => {
  const { btf } = compileBpf(PROG);
  const u64 = typeByName(btf, 'u64', 'typedef');
  assert.equal(btf.resolve(u64.id).name, 'unsigned long long');
  assert.equal(btf.resolve(u64.id).kind, 'int');
  assert.equal(btf.sizeOf(u64.id), 8);

  const event = typeByName(btf, 'event', 'struct');
  if (event.kind !== 'struct') return assert.fail('struct event');
  const member = (name: string) => event.members.find((m) => m.name === name)!;
  assert.equal(btf.sizeOf(member('grid').type), 48);
  assert.equal(btf.sizeOf(member('counter').type), 8);
  assert.equal(btf.resolve(member('counter').type).kind, 'ptr');
  assert.equal(btf.sizeOf(event.id), event.size);
  assert.equal(member('grid').bitOffset, 48 * 8); // after u32 + char[16], padding, and three pointers
  assert.throws(() => btf.sizeOf(0), BtfError);
});

test('findByName tells kinds apart and misses cleanly', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const fwd = b.fwd('thing');
  const td = b.typedef('thing', int);
  const st = b.struct('thing', 4, [{ name: 'x', type: int, bitOffset: 0 }]);
  const btf = Btf.parse(b.build());
  assert.equal(btf.findByName('thing')?.id, fwd);
  assert.equal(btf.findByName('thing', 'typedef')?.id, td);
  assert.equal(btf.findByName('struct thing')?.id, st);
  assert.equal(btf.findByName('nothing'), undefined);
  assert.equal(btf.findByName('thing', 'union'), undefined);
});

test('kinds clang 14 does not emit are read as btf.rst lays them out', () => {
  const b = new BtfBuilder();
  const int = b.int('int', 4, { signed: true });
  const big = b.enum64(
    'big',
    8,
    [
      ['HUGE', 0xfedcba9876543210n],
      ['MINUS', -2n],
    ],
    true,
  );
  const tagged = b.typeTag('user', int);
  const ptr = b.ptr(tagged);
  const proto = b.funcProto(int, [
    ['fmt', ptr],
    ['', 0],
  ]);
  const fn = b.func('printk', proto);
  const btf = Btf.parse(b.build());

  const e = btf.type(big);
  assert.equal(e.kind, 'enum64');
  if (e.kind !== 'enum64') return;
  assert.equal(e.signed, true);
  assert.deepEqual(
    e.values.map((v) => [v.name, v.value]),
    [
      ['HUGE', BigInt.asIntN(64, 0xfedcba9876543210n)],
      ['MINUS', -2n],
    ],
  );
  assert.equal(btf.typeName(big), 'enum big');
  assert.equal(btf.resolve(tagged).id, int);
  assert.equal(btf.typeName(ptr), 'int *');
  assert.equal(btf.typeName(fn), 'int printk(int *, ...)');
  const f = btf.type(fn);
  assert.equal(f.kind === 'func' && f.linkage, 'global');
});

test('split BTF continues the base type ids and strings', () => {
  const base = new BtfBuilder();
  const int = base.int('int', 4, { signed: true });
  const baseBtf = Btf.parse(base.build());
  const split = new BtfBuilder({ typeCount: baseBtf.typeCount, strLen: base.strLen });
  const ptr = split.ptr(int);
  const st = split.struct('module_thing', 8, [{ name: 'p', type: ptr, bitOffset: 0 }]);
  const btf = Btf.parse(split.build(), baseBtf);
  assert.equal(btf.firstId, 2);
  assert.equal(ptr, 2);
  assert.equal(btf.typeName(ptr), 'int *');
  assert.equal(btf.findByName('int')?.id, int);
  assert.equal(btf.findByName('module_thing')?.id, st);
  assert.equal(btf.sizeOf(st), 8);
});

test('malformed blobs are refused with BtfError', () => {
  const good = new BtfBuilder();
  good.int('int', 4, { signed: true });
  const blob = good.build();

  assert.throws(() => Btf.parse(new Uint8Array(8)), BtfError);
  const badMagic = blob.slice();
  badMagic[0] = 0;
  assert.throws(() => Btf.parse(badMagic), /not a BTF blob/);
  assert.throws(() => Btf.parse(blob.subarray(0, blob.length - 4)), /past the end/);
  const badKind = blob.slice();
  badKind[24 + 7] = 31; // the first type's kind byte
  assert.throws(() => Btf.parse(badKind), /unknown BTF kind 31/);
  assert.throws(() => Btf.parse(blob).type(2), /type id 2 is not in this BTF/);
});
