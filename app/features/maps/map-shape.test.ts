import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MapMeta, TypeDesc } from '../../../protocol/messages.ts';
import {
  defaultView,
  formatRate,
  globalsSummary,
  histogramCounts,
  histogramShape,
  isGlobalsMap,
  log2Label,
  mapRows,
  numericRows,
  topRows,
  viewsOf,
  visibleBuckets,
} from './map-shape.ts';

const u32: TypeDesc = { kind: 'int', name: '__u32', size: 4, signed: false, bits: 32 };
const u64: TypeDesc = { kind: 'int', name: '__u64', size: 8, signed: false, bits: 64 };
const stringKey: TypeDesc = {
  kind: 'array',
  name: 'stringkey',
  size: 64,
  length: 64,
  text: true,
  elem: { kind: 'int', name: 'char', size: 1, signed: true, bits: 8 },
};

function meta(over: Partial<MapMeta>): MapMeta {
  return {
    name: 'm',
    type: 'hash',
    keySize: 4,
    valueSize: 8,
    maxEntries: 1024,
    keyType: null,
    valueType: null,
    keyDesc: u32,
    valueDesc: u64,
    perCpu: false,
    writable: true,
    ...over,
  };
}

const hist: TypeDesc = {
  kind: 'struct',
  name: 'hist',
  size: 128,
  fields: [{ name: 'slots', offset: 0, type: { kind: 'array', name: '__u32[32]', size: 128, length: 32, elem: u32 } }],
};

test('the libbpf-tools pattern: a struct value with a slots[] array is a log2 histogram', () => {
  const shape = histogramShape(meta({ name: 'hists', type: 'array', maxEntries: 1, valueDesc: hist, valueSize: 128 }));
  assert.deepEqual(shape, { kind: 'slots', path: ['slots'], length: 32, log2: true });
  // A struct with several arrays names its buckets.
  const two: TypeDesc = {
    kind: 'struct',
    name: 'x',
    size: 256,
    fields: [
      { name: 'other', offset: 0, type: { kind: 'array', name: '__u32[32]', length: 32, elem: u32 } },
      { name: 'slots', offset: 128, type: { kind: 'array', name: '__u32[32]', length: 32, elem: u32 } },
    ],
  };
  assert.deepEqual(histogramShape(meta({ valueDesc: two }))?.kind === 'slots' && histogramShape(meta({ valueDesc: two })), {
    kind: 'slots',
    path: ['slots'],
    length: 32,
    log2: true,
  });
  // Text (a comm) is not buckets.
  const comm: TypeDesc = { kind: 'struct', name: 'e', fields: [{ name: 'comm', offset: 0, type: { ...stringKey, length: 16 } }] };
  assert.equal(histogramShape(meta({ valueDesc: comm })), null);
});

test('an array map of u64 counts keyed by a small integer is a histogram by index', () => {
  assert.deepEqual(histogramShape(meta({ name: 'lat_hist', type: 'array', maxEntries: 32 })), { kind: 'index', length: 32, log2: true });
  assert.deepEqual(histogramShape(meta({ name: 'per_cpu', type: 'array', maxEntries: 8 })), { kind: 'index', length: 8, log2: false });
  // Two counters, or a hash map of syscall numbers, are not.
  assert.equal(histogramShape(meta({ type: 'array', maxEntries: 2 })), null);
  assert.equal(histogramShape(meta({ name: 'syscall_counts', type: 'hash', maxEntries: 512 })), null);
  // A string-keyed counter (execve_counter) is not.
  assert.equal(histogramShape(meta({ name: 'execve_counter', keyDesc: stringKey, keySize: 64, maxEntries: 128 })), null);
});

test('views: histograms and numbers get charts, the table is always there', () => {
  assert.deepEqual(viewsOf(meta({ name: 'execve_counter', keyDesc: stringKey })), ['table', 'series', 'top']);
  assert.equal(defaultView(meta({ name: 'execve_counter', keyDesc: stringKey })), 'series');
  assert.equal(defaultView(meta({ name: 'hists', type: 'array', maxEntries: 1, valueDesc: hist })), 'histogram');
  assert.deepEqual(viewsOf(meta({ valueDesc: hist })), ['table', 'histogram']);
  const event: TypeDesc = { kind: 'struct', name: 'ev', fields: [{ name: 'pid', offset: 0, type: u32 }] };
  assert.deepEqual(viewsOf(meta({ valueDesc: event })), ['table']);
  // Globals chart their numeric variables; constants never change.
  const bss: TypeDesc = { kind: 'datasec', name: '.bss', fields: [{ name: 'hits', offset: 0, type: u64 }] };
  assert.deepEqual(viewsOf(meta({ name: 'prog.bss', type: 'array', valueDesc: bss })), ['table', 'series']);
  assert.deepEqual(viewsOf(meta({ name: 'prog.rodata', type: 'array', valueDesc: bss, writable: false })), ['table']);
});

test('histogram counts: slots summed over entries, or by key index', () => {
  const m = meta({ name: 'hists', type: 'hash', valueDesc: hist });
  const shape = histogramShape(m)!;
  const slots = (n: Record<number, number>) => ({ slots: Array.from({ length: 32 }, (_, i) => n[i] ?? 0) });
  const { rows } = mapRows(m, [
    { key: 1, value: slots({ 3: 5, 4: 1 }) },
    { key: 2, value: slots({ 3: 2, 10: '9007199254740993' as unknown as number }) },
  ]);
  const all = histogramCounts(shape, rows);
  assert.equal(all[3], 7);
  assert.equal(all[4], 1);
  assert.equal(all[10], 9007199254740992);
  assert.equal(histogramCounts(shape, rows, { all: false, id: '2' })[3], 2);
  assert.deepEqual(visibleBuckets(all), { from: 3, to: 10 });
  assert.equal(visibleBuckets(new Array(32).fill(0)), null);

  const byIndex = meta({ name: 'lat', type: 'array', maxEntries: 16 });
  const indexShape = histogramShape(byIndex)!;
  const indexRows = mapRows(byIndex, [
    { key: 0, value: 0 },
    { key: 5, value: 12 },
    { key: 15, value: '3' },
  ]).rows;
  const counts = histogramCounts(indexShape, indexRows);
  assert.equal(counts.length, 16);
  assert.equal(counts[5], 12);
  assert.equal(counts[15], 3);
});

test('log2 buckets read as power-of-two ranges, as bcc prints them', () => {
  assert.equal(log2Label(0), '0→1');
  assert.equal(log2Label(1), '2→3');
  assert.equal(log2Label(2), '4→7');
  assert.equal(log2Label(8), '256→511');
  assert.equal(log2Label(9), '512→1K');
  assert.equal(log2Label(10), '1K→2K');
  assert.equal(log2Label(20), '1M→2M');
  assert.equal(log2Label(63), '8E→16E');
});

test('top N: the largest values first, ties in key order', () => {
  const m = meta({});
  const rows = numericRows(
    mapRows(
      m,
      [1, 2, 3, 4, 5].map((k) => ({ key: k, value: k === 3 ? '18446744073709551615' : k % 2 })),
    ).rows,
  );
  assert.deepEqual(
    topRows(rows, 3).map((r) => r.key),
    [3, 1, 5],
  );
});

test('rates read per second with a sign', () => {
  assert.equal(formatRate(null), '—');
  assert.equal(formatRate(0), '0/s');
  assert.equal(formatRate(2.49), '2.5/s');
  assert.equal(formatRate(1204.4), '1,204/s');
  assert.equal(formatRate(-3), '−3.0/s');
});

test("the program's sections are its globals, said in one line; maps it defines are not", () => {
  for (const name of ['.rodata', '.bss', '.data', '.kconfig', '.rodata.str1.1', '.data.settings', 'prog.rodata'])
    assert.equal(isGlobalsMap({ name }), true, name);
  assert.equal(isGlobalsMap({ name: 'execve_counter' }), false);
  const section = (name: string, vars: string[]): MapMeta =>
    meta({
      name,
      type: 'array',
      valueDesc: { kind: 'datasec', name, size: 8 * vars.length, fields: vars.map((v, i) => ({ name: v, offset: i * 8, type: u64 })) },
    });
  const strings = meta({ name: '.rodata.str1.1', type: 'array', valueDesc: null });
  assert.equal(globalsSummary([section('.rodata', ['min_ns']), section('.bss', ['seen', 'drops']), strings]), '3 variables in .rodata, .bss, .rodata.str1.1');
  assert.equal(globalsSummary([section('.rodata', ['x'])]), '1 variable in .rodata');
});
