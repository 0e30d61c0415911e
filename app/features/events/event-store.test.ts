import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventStore, columnsOf, droppedOf, hexToText, spacedHex } from './event-store.ts';

const record = (pid: number) => ({ value: { pid, comm: 'cat', filename: '/etc/hostname' }, hex: '00', size: 84 });

test("keeps the newest records per map and counts evicted ones as dropped, with the server's and the kernel's", () => {
  const store = new EventStore(3);
  store.append({ map: 'events', recordType: 'struct open_event', records: [record(1), record(2)], dropped: 0, lost: 0 }, 10);
  store.append({ map: 'events', recordType: 'struct open_event', records: [record(3), record(4), record(5)], dropped: 4, lost: 2 }, 20);
  store.append({ map: 'other', recordType: null, records: [{ value: null, hex: 'ff', size: 1 }], dropped: 0, lost: 0 }, 30);
  const events = store.stream('events')!;
  assert.deepEqual(
    events.rows.map((r) => (r.value as { pid: number }).pid),
    [3, 4, 5],
  );
  assert.deepEqual(
    events.rows.map((r) => r.seq),
    [2, 3, 4],
  );
  assert.equal(events.evicted, 2);
  assert.equal(droppedOf(events), 6);
  assert.equal(events.lost, 2);
  assert.equal(events.firstAt, 10);
  assert.equal(store.total, 6);
  assert.deepEqual(store.maps, ['events', 'other']);

  store.clear('events');
  assert.equal(store.stream('events')!.rows.length, 0);
  assert.equal(store.stream('events')!.total, 5, 'the sequence goes on after a clear');
  store.reset();
  assert.deepEqual(store.maps, []);
});

test('columns are the decoded fields in first-seen order; raw records have none', () => {
  assert.deepEqual(columnsOf([{ value: { pid: 1, comm: 'a' } }, { value: { pid: 2, comm: 'b', extra: 3 } }]), ['pid', 'comm', 'extra']);
  assert.deepEqual(columnsOf([{ value: null }]), []);
});

test('raw bytes read as text or spaced hex', () => {
  assert.equal(hexToText('68690a0100'), 'hi\\n\\x01');
  assert.equal(hexToText('2f6574630000'), '/etc');
  assert.equal(spacedHex('0102030405'), '01020304 05');
});
