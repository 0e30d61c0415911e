import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MapMeta } from '../../../protocol/messages.ts';
import { eventsToCsv, exportFileName, flatten, mapToCsv, toCsv } from './data-export.ts';

const base: MapMeta = {
  name: 'm',
  type: 'hash',
  keySize: 64,
  valueSize: 8,
  maxEntries: 128,
  keyType: 'stringkey',
  valueType: 'u64',
  keyDesc: { kind: 'array', name: 'stringkey', length: 64, text: true },
  valueDesc: { kind: 'int', name: 'u64', size: 8, signed: false },
  perCpu: false,
  writable: true,
};

test('structs flatten to dotted columns, arrays by index', () => {
  assert.deepEqual(flatten({ pid: 1, task: { comm: 'ls', tags: [1, 2] } }, 'value'), {
    'value.pid': 1,
    'value.task.comm': 'ls',
    'value.task.tags[0]': 1,
    'value.task.tags[1]': 2,
  });
  assert.deepEqual(flatten(42, 'key'), { key: 42 });
});

test('a map as CSV: header, then one line per entry', () => {
  const csv = mapToCsv(base, [
    { key: 'execve_counter', value: 1204 },
    { key: 'with,comma "quoted"', value: '18446744073709551615' },
  ]);
  assert.equal(csv, 'key,value\r\nexecve_counter,1204\r\n"with,comma ""quoted""",18446744073709551615\r\n');
});

test('per-CPU maps: the total, then one column per CPU', () => {
  const csv = mapToCsv({ ...base, type: 'percpu_hash', perCpu: true, keyDesc: { kind: 'int', name: 'u32', size: 4 } }, [{ key: 7, value: 5, perCpu: [2, 3] }]);
  assert.equal(csv, 'key,value,cpu0,cpu1\r\n7,5,2,3\r\n');
});

test('struct keys and values become dotted columns', () => {
  const meta: MapMeta = {
    ...base,
    keyDesc: { kind: 'struct', name: 'k', fields: [] },
    valueDesc: { kind: 'struct', name: 'v', fields: [] },
  };
  const csv = mapToCsv(meta, [{ key: { pid: 1, comm: 'a' }, value: { count: 2, slots: [0, 1] } }]);
  assert.equal(csv.split('\r\n')[0], 'key.pid,key.comm,value.count,value.slots[0],value.slots[1]');
});

test('text a spreadsheet would run as a formula is defused; negative numbers are not', () => {
  assert.equal(toCsv([{ a: '=HYPERLINK("x")', b: '-12', c: -3 }]), 'a,b,c\r\n"\'=HYPERLINK(""x"")",-12,-3\r\n');
});

test('event records: seq, time, then fields; a field named like ours keeps its data', () => {
  const csv = eventsToCsv([
    { seq: 0, at: Date.UTC(2025, 0, 1), value: { pid: 1, time: 5, comm: 'ls' }, hex: '', size: 8, type: 'struct e' },
    { seq: 1, at: Date.UTC(2025, 0, 1), value: null, hex: '0a0b', size: 2, type: null },
  ]);
  assert.equal(csv, 'seq,time,pid,value.time,comm,hex\r\n1,2025-01-01T00:00:00.000Z,1,5,ls,\r\n2,2025-01-01T00:00:00.000Z,,,,0a0b\r\n');
});

test('export file names are safe everywhere', () => {
  assert.equal(exportFileName('prog.bss', 'csv', Date.UTC(2025, 0, 31, 14, 3, 22)), 'prog.bss-2025-01-31T14-03-22.csv');
  assert.equal(exportFileName('a/b c', 'json', 0), 'a_b_c-1970-01-01T00-00-00.json');
});
