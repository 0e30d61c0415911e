// Needs: nothing. Which lines of a failed compile or load the instructor's viewer marks.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RUN_PROBLEMS, type Diagnostic } from '../../protocol/messages.ts';
import { problemsOf, type StageOutcome } from './run-problems.ts';

const clangError = (line: number): Diagnostic => ({
  file: 'prog.bpf.c',
  line,
  column: 5,
  severity: 'error',
  message: "use of undeclared identifier 'x'",
  source: 'clang',
});
const loaded: Extract<StageOutcome, { type: 'loaded' }> = {
  type: 'loaded',
  runId: 1,
  ok: false,
  verifierLog: 'R1 invalid mem access',
  libbpfLog: '',
  programs: [],
  maps: [],
};

describe('problemsOf', () => {
  test("a failed compile: clang's errors, not its warnings or notes", () => {
    const warning: Diagnostic = { ...clangError(2), severity: 'warning', message: 'unused variable' };
    const note: Diagnostic = { ...clangError(9), severity: 'note', message: 'declared here' };
    assert.deepEqual(problemsOf({ type: 'compiled', runId: 1, ok: false, diagnostics: [warning, clangError(4), note], log: '' }), [clangError(4)]);
  });

  test('a compile that worked has none, even with warnings', () => {
    const warning: Diagnostic = { ...clangError(2), severity: 'warning' };
    assert.deepEqual(problemsOf({ type: 'compiled', runId: 1, ok: true, diagnostics: [warning], log: '' }), []);
  });

  test("a rejected load: the verifier's line", () => {
    const stop: Diagnostic = { file: 'prog.bpf.c', line: 21, column: 1, severity: 'error', message: 'A pointer may be NULL here.', source: 'verifier' };
    assert.deepEqual(problemsOf({ ...loaded, diagnostics: [stop] }), [stop]);
  });

  test('a rejection with no diagnostic but an explained line still names it; with neither, nothing', () => {
    const explanation = { kind: 'null_deref', summary: 'A pointer may be NULL here.', hint: 'Check it first.', file: 'prog.bpf.c', line: 12 };
    assert.deepEqual(problemsOf({ ...loaded, explanation }), [
      { file: 'prog.bpf.c', line: 12, column: 1, severity: 'error', message: 'A pointer may be NULL here.', source: 'verifier' },
    ]);
    assert.deepEqual(problemsOf({ ...loaded, explanation: { ...explanation, line: undefined } }), []);
    assert.deepEqual(problemsOf(loaded), []);
  });

  test('at most the first few errors: enough to find the line, not a wall of them', () => {
    const many = Array.from({ length: 40 }, (_, i) => clangError(i + 1));
    const kept = problemsOf({ type: 'compiled', runId: 1, ok: false, diagnostics: many, log: '' });
    assert.deepEqual(kept, many.slice(0, MAX_RUN_PROBLEMS));
  });
});
