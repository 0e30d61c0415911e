// Needs: nothing. The instructor keys a browser keeps for closed boards.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { keepRoom, keptRoomsSchema, withoutRoom } from './kept-rooms.ts';

const friday = { code: 'K7PQ2M', key: 'secret-1', title: 'Friday workshop' };
const monday = { code: 'HX3T9A', key: 'secret-2', title: 'Monday workshop' };

describe('kept instructor keys', () => {
  test('a closed board is kept first, and once: closing it again moves it up, with its newest key and title', () => {
    const kept = keepRoom(keepRoom([], friday), monday);
    assert.deepEqual(kept, [monday, friday]);
    const renamed = { ...friday, title: 'Friday, part 2' };
    assert.deepEqual(keepRoom(kept, renamed), [renamed, monday]);
  });

  test('only what a membership holds is kept (not its role)', () => {
    assert.deepEqual(keepRoom([], { role: 'instructor', ...friday } as typeof friday), [friday]);
  });

  test('forgetting drops that room alone', () => {
    assert.deepEqual(withoutRoom([monday, friday], friday.code), [monday]);
    assert.deepEqual(withoutRoom([monday], friday.code), [monday]);
  });

  test('what localStorage holds is checked: a broken entry is not a key', () => {
    assert.equal(keptRoomsSchema.safeParse([friday]).success, true);
    assert.equal(keptRoomsSchema.safeParse([{ code: 'K7PQ2M', title: 'no key' }]).success, false);
  });
});
