import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { verifierDiagnostic } from './verifier-log.ts';

test('a real rejection points at the line the verifier stopped on', () => {
  // execve_counter.bpf.c without its NULL check, as this kernel (6.18) rejected it.
  const log = readFileSync(new URL('./fixtures/verifier-map-value-or-null.log', import.meta.url), 'utf8');
  assert.deepEqual(verifierDiagnostic(log), {
    file: 'execve_counter.bpf.c',
    line: 28,
    column: 1,
    endLine: 28,
    endColumn: 1000,
    severity: 'error',
    message: "R0 invalid mem access 'map_value_or_null'",
    source: 'verifier',
  });
});

test('a log without line info gives no diagnostic', () => {
  assert.equal(verifierDiagnostic('processed 3 insns (limit 1000000)'), null);
  assert.equal(verifierDiagnostic('0: (b7) r0 = 0\nR0 !read_ok\nprocessed 1 insns'), null);
});
