import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RunnerCallError } from '../runner/runner.ts';
import { describeLoadFailure, type LoadFailureContext } from './load-failure.ts';

const CONTEXT: LoadFailureContext = {
  stage: 'load',
  mainFile: 'prog.bpf.c',
  files: ['prog.bpf.c'],
  sections: ['tracepoint/syscalls/sys_enter_execve'],
  kernel: { capabilities: [], memoryNote: null },
  maps: [],
  verifierLogBytes: 1 << 20,
};
// The end of a real log: a loop over execve's argv with no bound, which the verifier gave up on.
const LOOP_LOG = readFileSync(new URL('../verifier/fixtures/unbounded_loop_jumps.log', import.meta.url), 'utf8');
const failure = (code: string, verifierLog: string | null) =>
  new RunnerCallError({ errno: 14, code, message: 'load failed: Bad address', verifierLog, libbpfLog: '' });

test("EFAULT with the verifier's verdict at the end of its log is the verifier's rejection, explained (Linux 6.12)", () => {
  const described = describeLoadFailure(failure('EFAULT', LOOP_LOG), CONTEXT);
  assert.equal(described.error.code, 'verifier_rejected');
  assert.equal(described.explanation?.kind, 'unbounded_loop');
  assert.match(described.error.message, /^The verifier rejected the program \(prog\.bpf\.c:14\): The verifier went round this loop/);
});

test('EFAULT without a finished verifier log stays what it is', () => {
  const cut = LOOP_LOG.slice(0, LOOP_LOG.indexOf('processed '));
  const described = describeLoadFailure(failure('EFAULT', cut), CONTEXT);
  assert.equal(described.error.code, 'load_failed');
  assert.equal(described.explanation, undefined);
  assert.match(described.error.message, /Bad address \(EFAULT\)/);
});
