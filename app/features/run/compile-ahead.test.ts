import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Diagnostic } from '../../../protocol/messages.ts';
import { compileAheadDiagnostics, compileAheadRetryMs } from './compile-ahead.ts';

const error: Diagnostic = { file: 'x.bpf.c', line: 7, column: 2, severity: 'error', message: "use of undeclared identifier 'y'", source: 'clang' };
const compiled = { ok: true as const, outcome: 'compiled' as const, diagnostics: [error] };

test("the newest prepare's diagnostics show while the editor holds its files", () => {
  assert.deepEqual(compileAheadDiagnostics(compiled, { seq: 3, text: 'a' }, { seq: 3, text: 'a' }), [error]);
  assert.deepEqual(compileAheadDiagnostics({ ...compiled, diagnostics: [] }, { seq: 3, text: 'a' }, { seq: 3, text: 'a' }), [], 'none: the error was fixed');
});

test('an older prepare answering late, or one for text changed since, shows nothing', () => {
  assert.equal(compileAheadDiagnostics(compiled, { seq: 2, text: 'a' }, { seq: 3, text: 'b' }), null);
  assert.equal(compileAheadDiagnostics(compiled, { seq: 2, text: 'a' }, { seq: 3, text: 'a' }), null);
  assert.equal(compileAheadDiagnostics(compiled, { seq: 3, text: 'a' }, { seq: 3, text: 'ab' }), null);
});

test('a superseded or refused prepare leaves what is shown', () => {
  assert.equal(compileAheadDiagnostics({ ok: true, outcome: 'superseded', diagnostics: [] }, { seq: 1, text: 'a' }, { seq: 1, text: 'a' }), null);
  const limited = { ok: false as const, error: { code: 'rate_limited' as const, message: 'Not compiled ahead.', retryAfterMs: 400 } };
  assert.equal(compileAheadDiagnostics(limited, { seq: 1, text: 'a' }, { seq: 1, text: 'a' }), null);
});

test('only a prepare turned down for coming too often is sent again, when the server says', () => {
  assert.equal(compileAheadRetryMs({ ok: false, error: { code: 'rate_limited', message: 'Not compiled ahead.', retryAfterMs: 400 } }), 400);
  assert.equal(compileAheadRetryMs({ ok: false, error: { code: 'bad_request', message: 'Too big.' } }), null);
  assert.equal(compileAheadRetryMs(compiled), null);
});
