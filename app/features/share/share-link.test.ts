import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSeeds } from '../../common/json-input.ts';
import { readPageParams, seedRowsOf, shareLink } from './share-link.ts';

test('a link carries the share id, and the embed variant says so', () => {
  assert.equal(shareLink('http://127.0.0.1:3100', 'aB3_x9'), 'http://127.0.0.1:3100/?share=aB3_x9');
  assert.equal(shareLink('https://play.example', 'aB3_x9', true), 'https://play.example/?share=aB3_x9&embed=1');
});

test('the address is read back into the share id and the embed flag', () => {
  assert.deepEqual(readPageParams('?share=aB3_x9&embed=1'), { shareId: 'aB3_x9', embed: true, roomCode: null });
  assert.deepEqual(readPageParams('?embed=1'), { shareId: null, embed: true, roomCode: null });
  assert.deepEqual(readPageParams('?room=k7pq2m'), { shareId: null, embed: false, roomCode: 'K7PQ2M' });
  assert.deepEqual(readPageParams('?share=&embed=0'), { shareId: null, embed: false, roomCode: null });
  assert.deepEqual(readPageParams(''), { shareId: null, embed: false, roomCode: null });
  assert.deepEqual(readPageParams(new URL(shareLink('http://h', 'a b', true)).search), { shareId: 'a b', embed: true, roomCode: null });
});

test('seeds survive the trip to rows of text and back', () => {
  const seeds = [
    { map: 'execve_counter', key: 'execve_counter', value: 0 },
    { map: 'config', key: { pid: 1 }, value: [1, 2, 'x'] },
  ];
  const rows = seedRowsOf(seeds);
  assert.deepEqual(rows[0], { map: 'execve_counter', key: '"execve_counter"', value: '0' });
  assert.deepEqual(parseSeeds(rows), { ok: true, seeds });
});
