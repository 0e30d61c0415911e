// Needs: nothing (no root, no kernel).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KernelMemoryBudget } from './kernel-memory.ts';

test('sessions share the host kernel budget: a reservation past it is refused in one sentence, a release makes room', () => {
  const budget = new KernelMemoryBudget(10 * 1024 * 1024);
  const a = budget.reserve(6 * 1024 * 1024);
  assert.ok('release' in a);
  const b = budget.reserve(6 * 1024 * 1024);
  assert.ok('problem' in b);
  assert.match(
    b.problem,
    /^The maps would take about 6\.0 MiB of kernel memory, and the programs running on this host leave 4\.0 MiB of the 10\.0 MiB all sessions share/,
  );
  a.release();
  a.release();
  assert.ok('release' in budget.reserve(10 * 1024 * 1024), 'a double release gives back once, and the whole budget is free again');
});
