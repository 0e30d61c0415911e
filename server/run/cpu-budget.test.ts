import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CpuBudget } from './cpu-budget.ts';

test('a share over the budget counts only once a whole window is in', () => {
  const budget = new CpuBudget(0.5, 10_000);
  assert.deepEqual(budget.sample(0, 0), { share: 0, over: false });
  // 4 s of CPU in 5 s: 80%, but only half a window seen.
  assert.deepEqual(budget.sample(4e9, 5_000), { share: 0.8, over: false });
  const whole = budget.sample(8e9, 10_000);
  assert.equal(whole.share, 0.8);
  assert.equal(whole.over, true);
  assert.match(budget.refusal(whole.share), /used 80% of a CPU over the last 10 s; the limit is 50%/);
});

test('old samples leave the window, so a busy start is forgiven', () => {
  const budget = new CpuBudget(0.5, 10_000);
  budget.sample(0, 0);
  budget.sample(9e9, 10_000); // 90% in the first window
  budget.sample(9e9, 20_000); // idle for the next
  const later = budget.sample(9e9, 30_000);
  assert.equal(later.share, 0);
  assert.equal(later.over, false);
});
