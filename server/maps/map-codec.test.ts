import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelSymbols } from './kallsyms.ts';
import { MapCodec, sumPerCpu, type RawMapInfo } from './map-codec.ts';

function info(overrides: Partial<RawMapInfo>): RawMapInfo {
  return { name: 'm', typeName: 'hash', keySize: 4, valueSize: 8, maxEntries: 16, btfKeyTypeId: 0, btfValueTypeId: 0, isInternal: false, ...overrides };
}

function u64s(...values: bigint[]): Uint8Array {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  for (const [i, v] of values.entries()) view.setBigUint64(i * 8, v, true);
  return bytes;
}

const symbols = KernelSymbols.parse(['ffffffff814b09a0 T perf_syscall_enter', 'ffffffff821ed4a0 T do_syscall_64'].join('\n'));

test('stack traces decode as frames: kernel addresses with their symbols, user ones bare, up to the first zero', () => {
  const codec = new MapCodec(info({ typeName: 'stack_trace', valueSize: 8 * 6 }), null, 2);
  const value = u64s(0xffffffff814b0b2dn, 0xffffffff821ed69an, 0xffffffff70000000n, 0x7fb84baf5ad7n, 0n, 0xffffffff821ed4a0n);
  assert.deepEqual(codec.decodeEntries(new Uint8Array([7, 0, 0, 0]), value, 1, symbols), [
    {
      key: 7,
      value: [
        { addr: '0xffffffff814b0b2d', symbol: 'perf_syscall_enter+0x18d' },
        { addr: '0xffffffff821ed69a', symbol: 'do_syscall_64+0x1fa' },
        // A kernel address no symbol covers, and a user-space one: addresses only.
        { addr: '0xffffffff70000000' },
        { addr: '0x00007fb84baf5ad7' },
      ],
    },
  ]);
  // Without a symbol table (kptr_restrict), every frame is an address.
  assert.deepEqual(codec.decodeValueBytes(value).value, [
    { addr: '0xffffffff814b0b2d' },
    { addr: '0xffffffff821ed69a' },
    { addr: '0xffffffff70000000' },
    { addr: '0x00007fb84baf5ad7' },
  ]);
  assert.equal(codec.view, 'entries');
  assert.equal(codec.meta().writable, false);
});

test('build-id stack traces decode as build id and offset per frame', () => {
  const codec = new MapCodec(info({ typeName: 'stack_trace', valueSize: 32 * 3, flags: 1 << 5 }), null, 2);
  const bytes = new Uint8Array(96);
  const view = new DataView(bytes.buffer);
  view.setInt32(0, 1, true);
  bytes.set(
    Array.from({ length: 20 }, (_, i) => i + 1),
    4,
  );
  view.setBigUint64(24, 0x1139n, true);
  view.setInt32(32, 2, true);
  view.setBigUint64(56, 0x7fb84baf5ad7n, true);
  assert.deepEqual(codec.decodeValueBytes(bytes).value, [
    { buildId: '0102030405060708090a0b0c0d0e0f1011121314', offset: '0x0000000000001139' },
    { addr: '0x00007fb84baf5ad7' },
  ]);
});

test('per-CPU values add up: integers, structs field by field, arrays element by element', () => {
  assert.equal(sumPerCpu([1, 2, 3]), 6);
  assert.equal(sumPerCpu(['18446744073709551615', 1]), '18446744073709551616');
  assert.equal(sumPerCpu([-5, 2]), -3);
  assert.deepEqual(
    sumPerCpu([
      { events: 1, weight: 10, slots: [1, 2] },
      { events: 2, weight: 20, slots: [3, 4] },
    ]),
    { events: 3, weight: 30, slots: [4, 6] },
  );
  // Text is kept when every CPU agrees, else there is no total to give.
  assert.deepEqual(
    sumPerCpu([
      { comm: 'sh', n: 1 },
      { comm: 'sh', n: 1 },
    ]),
    { comm: 'sh', n: 2 },
  );
  assert.deepEqual(
    sumPerCpu([
      { comm: 'sh', n: 1 },
      { comm: 'bash', n: 1 },
    ]),
    { comm: null, n: 2 },
  );
  assert.equal(sumPerCpu([1.5, 2]), 3.5);
  assert.equal(sumPerCpu(['NaN', 1]), null);

  const codec = new MapCodec(info({ typeName: 'percpu_array', valueSize: 4 }), null, 3);
  const row = new Uint8Array(24);
  new DataView(row.buffer).setUint32(0, 5, true);
  new DataView(row.buffer).setUint32(16, 7, true);
  assert.deepEqual(codec.decodeValueBytes(row), { value: 12, perCpu: [5, 0, 7] });
});

test('what can be written, and how each kind of map is read', () => {
  const meta = (overrides: Partial<RawMapInfo>) => new MapCodec(info(overrides), null, 2);
  assert.deepEqual(
    ['.data', '.bss', '.data.settings', '.rodata', '.rodata.str1.1', '.kconfig'].map(
      (name) => meta({ name, typeName: 'array', isInternal: true }).meta().writable,
    ),
    [true, true, true, false, false, false],
  );
  assert.deepEqual(
    ['queue', 'stack', 'ringbuf', 'lpm_trie'].map((typeName) => meta({ typeName }).view),
    ['head', 'head', 'none', 'entries'],
  );
  assert.equal(meta({ typeName: 'queue', keySize: 0 }).meta().writable, true);
  assert.deepEqual(
    ['array', 'percpu_array', 'hash'].map((typeName) => meta({ typeName }).isArray),
    [true, true, false],
  );
  assert.equal(meta({ name: '.bss', typeName: 'array', isInternal: true }).isArray, true);
});

test("clang's string literals (.rodata.str1.1, no BTF) show as their strings; other bytes without BTF stay hex", () => {
  const text = new TextEncoder().encode('Hello, World!\0exec %s\n\0\0\0');
  const strings = new MapCodec(info({ name: '.rodata.str1.1', typeName: 'array', valueSize: text.length, isInternal: true }), null, 2);
  assert.deepEqual(strings.decodeValueBytes(text).value, ['Hello, World!', 'exec %s\n']);
  assert.deepEqual(strings.decodeEntries(new Uint8Array(4), text, 1), [{ key: 0, value: ['Hello, World!', 'exec %s\n'] }], 'its key is the index 0');
  // A constant pool, or a legacy map's value, is no text to read.
  const pool = new MapCodec(info({ name: '.rodata.cst16', typeName: 'array', valueSize: 3, isInternal: true }), null, 2);
  assert.equal(pool.decodeValueBytes(Uint8Array.from([0x48, 0x69, 0])).value, '0x486900');
  const binary = Uint8Array.from([0x48, 0x01, 0]);
  assert.equal(strings.decodeValueBytes(binary).value, '0x480100', 'a control byte: the bytes, in hex');
});
