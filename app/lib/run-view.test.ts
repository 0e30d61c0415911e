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
  const refused = runReducer(started, { type: 'refused', runId: 7, at: 1, error: { code: 'rate_limited' as never, message: 'Too many runs.' } });
  assert.equal(describeFailure(refused), 'The run could not start: too many runs.');
});

test('a session the server did not keep stops the run, with a reason', () => {
  const running = runReducer(started, { type: 'message', at: 1, message: { type: 'run_state', runId: 7, state: 'running', stage: 'run', timings: {} } });
  const lost = runReducer(running, { type: 'session_lost', at: 2 });
  assert.equal(lost.phase, 'stopped');
  assert.match(lost.notice ?? '', /stopped the program/);
});
