import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeFailure, initialRunView, runReducer, type RunView } from './run-view.ts';

const started = runReducer(initialRunView, { type: 'started', runId: 7, at: 0 });

test('follows run_state and keeps the timings', () => {
  const view = runReducer(started, {
    type: 'message',
    at: 1000,
    message: { type: 'run_state', runId: 7, state: 'running', stage: 'run', timings: { compileMs: 142, loadMs: 9, attachMs: 1 } },
  });
  assert.equal(view.phase, 'running');
  assert.deepEqual(view.timings, { compileMs: 142, loadMs: 9, attachMs: 1 });
  assert.equal(view.runningSince, 1000);
});

test('ignores the messages of an older run', () => {
  const view = runReducer(started, {
    type: 'message',
    at: 1,
    message: { type: 'run_state', runId: 6, state: 'stopped', stage: 'run', timings: {} },
  });
  assert.equal(view, started);
});

test('a failure is one sentence naming the stage', () => {
  const view: RunView = runReducer(started, {
    type: 'message',
    at: 1,
    message: {
      type: 'run_state',
      runId: 7,
      state: 'error',
      stage: 'load',
      timings: {},
      error: { code: 'verifier_rejected', message: 'The kernel refused to load the program: the verifier rejected it (EACCES).' },
    },
  });
  assert.equal(describeFailure(view), 'Load failed: the kernel refused to load the program: the verifier rejected it (EACCES).');
});

test('a session the server did not keep stops the run, with a reason', () => {
  const running = runReducer(started, { type: 'message', at: 1, message: { type: 'run_state', runId: 7, state: 'running', stage: 'run', timings: {} } });
  const lost = runReducer(running, { type: 'session_lost', at: 2 });
  assert.equal(lost.phase, 'stopped');
  assert.match(lost.notice ?? '', /stopped the program/);
});

test("a rejection keeps clang's warnings and adds the verifier's diagnostic, explanation and truncation", () => {
  const compiled = runReducer(started, {
    type: 'message',
    at: 1,
    message: {
      type: 'compiled',
      runId: 7,
      ok: true,
      log: '',
      diagnostics: [{ file: 'prog.bpf.c', line: 3, column: 5, severity: 'warning', message: 'unused variable', source: 'clang' }],
    },
  });
  const explanation = { kind: 'null_deref', summary: 'R0 may be NULL here.', hint: 'Check it: `if (!v) return 0;`.', file: 'prog.bpf.c', line: 19, insn: 7 };
  const view = runReducer(compiled, {
    type: 'message',
    at: 2,
    message: {
      type: 'loaded',
      runId: 7,
      ok: false,
      verifierLog: '…',
      libbpfLog: '',
      programs: [],
      maps: [],
      explanation,
      diagnostics: [{ file: 'prog.bpf.c', line: 19, column: 1, severity: 'error', message: 'R0 may be NULL here.', source: 'verifier' }],
      logTruncated: true,
    },
  });
  assert.deepEqual(
    view.diagnostics.map((d) => [d.source, d.line]),
    [
      ['clang', 3],
      ['verifier', 19],
    ],
  );
  assert.deepEqual(view.loaded?.explanation, explanation);
  assert.equal(view.loaded?.logTruncated, true);
  assert.deepEqual(view.loaded?.structs, []);
});

test('stats give runs per second between two messages; inspect and loaded code are kept', () => {
  const stats = (runCount: number) => ({ type: 'stats' as const, runId: 7, programs: [{ name: 'p', runCount, runTimeNs: runCount * 100 }], cpuShare: 0.001 });
  let view = runReducer(started, { type: 'message', at: 1000, message: stats(10) });
  assert.deepEqual(view.runRates, {});
  view = runReducer(view, { type: 'message', at: 3000, message: stats(50) });
  assert.deepEqual(view.runRates, { p: 20 });
  view = runReducer(view, {
    type: 'message',
    at: 3000,
    message: { type: 'inspect', runId: 7, sections: [{ name: '.maps', type: 'PROGBITS', size: 32, flags: 'WA' }], disassembly: 'd', btf: 'b' },
  });
  view = runReducer(view, { type: 'message', at: 3000, message: { type: 'loaded_code', runId: 7, programs: [{ name: 'p', xlated: 'x', jited: null }] } });
  assert.equal(view.inspect?.sections[0]?.name, '.maps');
  // An object built without line info still links nothing, rather than failing.
  assert.deepEqual(view.inspect?.disassemblyLines, []);
  assert.equal(view.loadedCode?.[0]?.jited, null);
});

test("a compile ahead's diagnostics replace clang's shown, the verifier's line stays, and a Run's replace them again", () => {
  const clang = (line: number) => ({ file: 'p.bpf.c', line, column: 1, severity: 'error' as const, message: `error at ${line}`, source: 'clang' as const });
  const verifier = { file: 'p.bpf.c', line: 9, column: 1, severity: 'error' as const, message: 'R1 invalid mem access', source: 'verifier' as const };
  const typed = runReducer(initialRunView, { type: 'prepared', diagnostics: [clang(3)] });
  assert.deepEqual(typed.diagnostics, [clang(3)], 'shown before any Run');
  assert.equal(runReducer(typed, { type: 'prepared', diagnostics: [clang(3)] }), typed, 'the same again changes nothing');
  assert.deepEqual(runReducer(typed, { type: 'prepared', diagnostics: [] }).diagnostics, [], 'fixed');

  const rejected = runReducer(started, {
    type: 'message',
    at: 1,
    message: { type: 'compiled', runId: 7, ok: true, diagnostics: [], log: '' },
  });
  const withVerifier = { ...rejected, diagnostics: [verifier] };
  assert.deepEqual(runReducer(withVerifier, { type: 'prepared', diagnostics: [clang(4)] }).diagnostics, [clang(4), verifier]);

  const again = runReducer(runReducer(typed, { type: 'started', runId: 8, at: 2 }), {
    type: 'message',
    at: 3,
    message: { type: 'compiled', runId: 8, ok: false, diagnostics: [clang(5)], log: '' },
  });
  assert.deepEqual(again.diagnostics, [clang(5)], "the Run's own");

  // The Run failed to compile; typing a fix makes the compile ahead find no errors: the page says the files compile now.
  const failed = { ...again, phase: 'error' as const, stage: 'compile' as const, error: { code: 'compile_failed' as const, message: 'p.bpf.c:5: error at 5' } };
  assert.equal(runReducer(failed, { type: 'prepared', diagnostics: [clang(6)] }).compilesNow, false, 'still broken');
  const fixed = runReducer(failed, { type: 'prepared', diagnostics: [] });
  assert.equal(fixed.compilesNow, true);
  assert.equal(runReducer(fixed, { type: 'started', runId: 9, at: 4 }).compilesNow, false, 'a new Run starts over');
});
