import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRefusal, runRefusal, secondsUntilRun } from './run-refusal.ts';

const limited = { code: 'rate_limited' as const, message: 'Too many runs: at most 5 every 10 s. Wait a moment and press Run again.', retryAfterMs: 2500 };

test('a rate-limit refusal counts down to when Run is taken again, in whole seconds rounded up', () => {
  const refusal = runRefusal(limited, 10_000);
  assert.equal(refusal.retryAt, 12_500);
  assert.equal(secondsUntilRun(refusal, 10_000), 3);
  assert.equal(secondsUntilRun(refusal, 11_000), 2);
  assert.equal(secondsUntilRun(refusal, 12_499), 1);
  assert.equal(secondsUntilRun(refusal, 12_500), 0);
  assert.equal(secondsUntilRun(refusal, 20_000), 0);
});

test('other refusals, or a rate limit without a time, do not hold Run back', () => {
  assert.equal(secondsUntilRun(runRefusal({ code: 'bad_request', message: 'prog.bpf.c is 100.1 KB.' }, 0), 0), 0);
  assert.equal(runRefusal({ code: 'rate_limited', message: 'Too many.' }, 0).retryAt, null);
  assert.equal(secondsUntilRun(null, 0), 0);
});

test('the sentence says the running program goes on, only when one runs', () => {
  assert.equal(
    describeRefusal(limited, true),
    'The run could not start. Too many runs: at most 5 every 10 s. Wait a moment and press Run again. The program that was running goes on.',
  );
  assert.equal(
    describeRefusal({ code: 'bad_request', message: 'prog.bpf.c is 100.1 KB; the limit is 64 KB for all files together.' }, false),
    'The run could not start. prog.bpf.c is 100.1 KB; the limit is 64 KB for all files together.',
  );
});
