import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TypeDesc } from '../../../protocol/messages.ts';
import { checkForm, fieldKind, formSupported, initialForm, intRange, setAt, textFromInput, textToInput } from './type-form.ts';

const u64: TypeDesc = { kind: 'int', name: 'u64', size: 8, signed: false, bits: 64 };
const s8: TypeDesc = { kind: 'int', name: 's8', size: 1, signed: true, bits: 8 };
const char: TypeDesc = { kind: 'int', name: 'char', size: 1, signed: true, bits: 8 };
const comm: TypeDesc = { kind: 'array', name: 'char[16]', size: 16, length: 16, text: true, elem: char };
const state: TypeDesc = {
  kind: 'enum',
  name: 'enum state',
  size: 4,
  enumerators: [
    { name: 'IDLE', value: 0 },
    { name: 'BUSY', value: 1 },
  ],
};
const event: TypeDesc = {
  kind: 'struct',
  name: 'struct event',
  size: 40,
  fields: [
    { name: 'pid', offset: 0, type: { kind: 'int', name: '__u32', size: 4, signed: false, bits: 32 } },
    { name: 'comm', offset: 4, type: comm },
    { name: 'state', offset: 20, type: state },
    { name: 'on', offset: 24, type: { kind: 'bool', name: '_Bool', size: 1 } },
    { name: 'slots', offset: 28, type: { kind: 'array', name: '__u16[4]', length: 4, elem: { kind: 'int', name: '__u16', size: 2, signed: false, bits: 16 } } },
    { name: 'u', offset: 36, type: { kind: 'union', name: 'union u', fields: [] } },
  ],
};

test('each type gets its input: numbers, selects, text, checkboxes, nested fieldsets, rows', () => {
  assert.equal(fieldKind(u64), 'int');
  assert.equal(fieldKind(state), 'enum');
  assert.equal(fieldKind(comm), 'text');
  assert.equal(fieldKind(event), 'struct');
  assert.equal(fieldKind(event.fields![4]!.type), 'array');
  assert.equal(fieldKind(event.fields![5]!.type), 'json');
  assert.equal(formSupported(event), true);
  assert.equal(formSupported(null), false);
  assert.equal(formSupported({ kind: 'union', name: 'u', fields: [] }), false);
  assert.equal(formSupported({ kind: 'array', name: 'big', length: 4096, elem: u64 }), false);
});

test('a prefilled form gives back the value it was filled from', () => {
  const value = { pid: 42, comm: 'bash', state: 'BUSY', on: true, slots: [1, 2, 3, 4] };
  const form = initialForm(event, value);
  assert.deepEqual(checkForm(event, form, 'Value'), { ok: true, value });
  const empty = initialForm(event);
  assert.deepEqual(checkForm(event, empty, 'Value'), { ok: true, value: { pid: 0, comm: '', state: 'IDLE', on: false, slots: [0, 0, 0, 0] } });
});

test('integers are checked against their size and sign, in one sentence naming the field', () => {
  assert.deepEqual(checkForm(u64, '18446744073709551615', 'Value'), { ok: true, value: '18446744073709551615' });
  assert.deepEqual(checkForm(u64, '0x10', 'Value'), { ok: true, value: 16 });
  const negative = checkForm(u64, '-1', 'Value');
  assert.equal(negative.ok, false);
  assert.equal(!negative.ok && negative.error, 'Value: -1 does not fit in u64, which holds 0 to 18,446,744,073,709,551,615.');
  const nested = checkForm(event, setAt(initialForm(event), ['slots', 2], '70000'), 'Value');
  assert.equal(!nested.ok && nested.error, 'Value slots[2]: 70,000 does not fit in __u16, which holds 0 to 65,535.');
  assert.equal(!nested.ok && nested.path, 'slots[2]');
  const word = checkForm(u64, 'lots', 'Key');
  assert.equal(!word.ok && word.error, 'Key: "lots" is not a whole number; u64 takes 0 to 18,446,744,073,709,551,615.');
  assert.deepEqual(intRange(s8), [-128n, 127n]);
  assert.deepEqual(intRange(char), [-128n, 255n]);
  assert.deepEqual(intRange({ kind: 'int', name: 'u32', size: 4, signed: false, bits: 3 }), [0n, 7n]);
});

test('text must leave room for the closing NUL', () => {
  const long = checkForm(comm, 'a'.repeat(16), 'Key');
  assert.equal(!long.ok && long.error, 'Key: the text is 16 bytes but char[16] holds 15 bytes and the closing NUL.');
  assert.deepEqual(checkForm(comm, 'a'.repeat(15), 'Key'), { ok: true, value: 'a'.repeat(15) });
});

test('a union is typed as JSON inside the form, and left out when empty', () => {
  const form = setAt(initialForm(event), ['u'], '{"a": 1}');
  const checked = checkForm(event, form, 'Value');
  assert.equal(checked.ok && (checked.value as Record<string, unknown>).u !== undefined, true);
  const bad = checkForm(event, setAt(initialForm(event), ['u'], '{oops'), 'Value');
  assert.match(!bad.ok ? bad.error : '', /^Value u: That is not JSON/);
});

test("a char array's newline and tab show as \\n and \\t in its input, and write back as they were", () => {
  const format = 'exec %s\tpid=%d\n';
  const shown = initialForm(comm, format);
  assert.equal(shown, 'exec %s\\tpid=%d\\n');
  assert.deepEqual(checkForm(comm, shown, 'Value'), { ok: true, value: format });
  assert.equal(textToInput('a\\b'), 'a\\\\b');
  assert.equal(textFromInput(textToInput('a\\b\r')), 'a\\b\r');
  // A backslash before anything else is the backslash the user typed.
  assert.equal(textFromInput('C:\\x'), 'C:\\x');
  // The room counts the bytes written, not the escapes typed.
  assert.equal(checkForm(comm, '\\n'.repeat(15), 'Value').ok, true);
  assert.equal(checkForm(comm, '\\n'.repeat(16), 'Value').ok, false);
});
