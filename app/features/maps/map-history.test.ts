import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MapHistory } from './map-history.ts';

const label = (_map: string, key: unknown) => String(key);
const rows = (values: Record<string, number>) => Object.entries(values).map(([id, value]) => ({ id, key: id, value }));

test('the rate is the change per second between the last two samples', () => {
  const history = new MapHistory();
  history.record({ m: rows({ a: 10, b: 5 }) }, 1000, label);
  assert.equal(history.rate('m', 'a'), null);
  history.record({ m: rows({ a: 16, b: 5 }) }, 3000, label);
  assert.equal(history.rate('m', 'a'), 3);
  assert.equal(history.rate('m', 'b'), 0);
  // A value the user lowered reads as a fall, not as nothing.
  history.record({ m: rows({ a: 6, b: 5 }) }, 4000, label);
  assert.equal(history.rate('m', 'a'), -10);
  // A sample no newer than the last is ignored.
  history.record({ m: rows({ a: 1000 }) }, 4000, label);
  assert.equal(history.rate('m', 'a'), -10);
});

test('series: one point per sample, nulls before a key appeared, only the largest keys', () => {
  const history = new MapHistory(60_000, 2);
  history.record({ m: rows({ a: 1 }) }, 1000, label);
  history.record({ m: rows({ a: 2, b: 5 }) }, 2000, label);
  history.record({ m: rows({ a: 3, b: 6, c: 1 }) }, 3000, label);
  const { times, series } = history.series('m');
  assert.deepEqual(times, [1000, 2000, 3000]);
  assert.deepEqual(
    series.map((s) => [s.id, s.values]),
    [
      ['a', [1, 2, 3]],
      ['b', [null, 5, 6]],
    ],
  );
  // c rises above a: it takes a's line.
  history.record({ m: rows({ a: 3, b: 6, c: 9 }) }, 4000, label);
  assert.deepEqual(
    history.series('m').series.map((s) => s.id),
    ['b', 'c'],
  );
  assert.deepEqual(history.series('m').series[1]!.values, [null, null, null, 9]);
});

test('history keeps the last window only', () => {
  const history = new MapHistory(10_000);
  for (let t = 0; t <= 30_000; t += 1000) history.record({ m: rows({ a: t }) }, t, label);
  const { times, series } = history.series('m');
  assert.equal(times[0], 20_000);
  assert.equal(times.length, 11);
  assert.equal(series[0]!.values.length, 11);
  let notified = 0;
  history.subscribe(() => notified++);
  history.reset();
  assert.equal(notified, 1);
  assert.deepEqual(history.series('m').times, []);
});
