import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonInput, parseSeeds, placeholderFor } from './json-input.ts';

test('JSON is JSON, and a plain word is the string it obviously is', () => {
  assert.deepEqual(parseJsonInput('42'), { ok: true, value: 42 });
  assert.deepEqual(parseJsonInput('"ls"'), { ok: true, value: 'ls' });
  assert.deepEqual(parseJsonInput('{"pid": 1}'), { ok: true, value: { pid: 1 } });
  assert.deepEqual(parseJsonInput('execve_counter'), { ok: true, value: 'execve_counter' });
  assert.deepEqual(parseJsonInput('  execve_counter  '), { ok: true, value: 'execve_counter' });
});

test('what is neither says so in a sentence', () => {
  const result = parseJsonInput('{pid: 1');
  assert.equal(result.ok, false);
  assert.match(!result.ok ? result.error : '', /not JSON.*Quote text/);
  assert.equal(parseJsonInput('   ').ok, false);
});

test('seed rows become the protocol seeds, or name the row that is wrong', () => {
  assert.deepEqual(parseSeeds([{ map: 'execve_counter', key: '"execve_counter"', value: '0' }]), {
    ok: true,
    seeds: [{ map: 'execve_counter', key: 'execve_counter', value: 0 }],
  });
  const bad = parseSeeds([{ map: 'm', key: '1', value: '{' }]);
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error : '', /^Seed 1 \(m\): value:/);
});

test('placeholders follow the BTF type', () => {
  assert.equal(placeholderFor({ kind: 'int', name: 'u64', size: 8 }), '0');
  assert.equal(placeholderFor({ kind: 'array', name: 'stringkey', size: 64, length: 64, text: true }), '"text, up to 63 chars"');
  assert.equal(
    placeholderFor({
      kind: 'struct',
      name: 'key',
      size: 8,
      fields: [
        { name: 'pid', offset: 0, type: { kind: 'int', name: 'u32', size: 4 } },
        { name: 'cpu', offset: 4, type: { kind: 'int', name: 'u32', size: 4 } },
      ],
    }),
    '{"pid": 0, "cpu": 0}',
  );
});
