import assert from 'node:assert/strict';
import { test } from 'node:test';
import { histogramUnit } from './histogram-unit.ts';
import type { HistogramShape } from './map-shape.ts';

const index: HistogramShape = { kind: 'index', length: 32, log2: true };
const slots = (field: string): HistogramShape => ({ kind: 'slots', path: [field], length: 26, log2: true });
const map = (name: string, valueType: string | null = '__u64', keyType: string | null = '__u32') => ({ name, keyType, valueType });

test("a lesson's declared unit wins over every name", () => {
  assert.equal(histogramUnit(map('hist'), index, 'µs'), 'µs');
  assert.equal(histogramUnit(map('lat_ns'), index, 'µs'), 'µs');
  assert.equal(histogramUnit(map('hist'), index, '  '), null, 'a blank declaration says nothing');
});

test('the names tools give say the unit: the bucket field, the map, then the types', () => {
  assert.equal(histogramUnit(map('runq_lat_ns'), index), 'ns');
  assert.equal(histogramUnit(map('dist_usecs'), index), 'µs');
  assert.equal(histogramUnit(map('hists', 'struct hist'), slots('slots_msecs')), 'ms');
  assert.equal(histogramUnit(map('latencyUs'), index), 'µs');
  assert.equal(histogramUnit(map('io_size', 'struct hist_bytes'), slots('slots')), 'bytes');
  assert.equal(histogramUnit(map('wait_sec'), index), 's');
  // The field is nearer the numbers than the map's name.
  assert.equal(histogramUnit(map('lat_ns'), slots('slots_us')), 'µs');
});

test('no unit is guessed from words that only contain one', () => {
  assert.equal(histogramUnit(map('hist'), index), null);
  assert.equal(histogramUnit(map('users', 'struct bus_hist'), slots('slots')), null);
  assert.equal(histogramUnit(map('msgs', null, null), index), null);
  assert.equal(histogramUnit(map('open_slots'), index), null);
});
