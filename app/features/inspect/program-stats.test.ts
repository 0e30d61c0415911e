import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatShare, statSentence } from './program-stats.ts';

test('a program that ran, then stopped running, says so instead of "0 runs/s"', () => {
  const stat = { name: 'bpf_prog', runCount: 67, runTimeNs: 67 * 1500 };
  assert.equal(statSentence(stat, 0), 'bpf_prog ran 67 times, 1,500 ns each on average; not once since the last reading.');
  assert.equal(statSentence(stat, 12.4), 'bpf_prog ran 67 times, 1,500 ns each on average; lately 12 times a second.');
  assert.equal(statSentence(stat, 2.44), 'bpf_prog ran 67 times, 1,500 ns each on average; lately 2.4 times a second.');
  assert.equal(statSentence(stat, undefined), 'bpf_prog ran 67 times, 1,500 ns each on average.');
});

test('a program that never ran, and one that ran once', () => {
  assert.equal(
    statSentence({ name: 'on_open', runCount: 0, runTimeNs: 0 }, 0),
    'on_open has not run yet: nothing it is attached to has happened since attach.',
  );
  assert.equal(statSentence({ name: 'on_open', runCount: 1, runTimeNs: 25_000 }, undefined), 'on_open ran 1 time, 25 µs each on average.');
});

test('CPU shares keep their small digits', () => {
  assert.equal(formatShare(0), '0%');
  assert.equal(formatShare(0.00042), '0.042%');
  assert.equal(formatShare(0.0000042), '0.0004%');
  assert.equal(formatShare(0.25), '25.0%');
});
